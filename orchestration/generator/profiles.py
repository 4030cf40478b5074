"""Behavioural parameters of the sample-data generator.

They make the sample data look like a real QA programme: vendors and sites differ in quality,
policies differ in difficulty and in which error dominates, automation has its own error profile.
Reference *values* (queue ids, policy codes, ...) come from `seeds/`; these are only the knobs the
generator turns. Changing a number here changes the data, never the contract.
"""

from __future__ import annotations

# vendor_id -> (share of human decisions by routing weight, base error probability, sites)
# Each site: (site name, error multiplier, primary language of its staff)
HUMAN_VENDORS: dict[str, dict] = {
    "acme": {"base_error": 0.045, "sites": [("Manila", 1.15, "en"), ("Cebu", 0.95, "en")]},
    "globex": {"base_error": 0.060, "sites": [("Hyderabad", 1.10, "hi"), ("Bogota", 0.90, "es")]},
    "northwind": {"base_error": 0.030, "sites": [("Dublin", 0.95, "en"), ("Lisbon", 1.05, "pt")]},
    "in_house": {"base_error": 0.020, "sites": [("Austin", 1.00, "en"), ("Singapore", 1.00, "en")]},
}
AUTOMATION_VENDOR = "automation"

# Routing of human work: region -> [(vendor, weight)]. Priority ads go to in-house half the time.
ROUTING: dict[str, list[tuple[str, float]]] = {
    "NA": [("acme", 0.6), ("in_house", 0.4)],
    "LATAM": [("globex", 0.7), ("acme", 0.3)],
    "EMEA": [("northwind", 0.8), ("in_house", 0.2)],
    "APAC": [("globex", 0.5), ("acme", 0.5)],
}
PRIORITY_IN_HOUSE_SHARE = 0.5

# queue_id -> share of inflow, prevalence of violations, automated share, median delay as a fraction
# of the SLA, random-audit rate, handle-time base in seconds.
QUEUES: dict[str, dict] = {
    "ads_standard": {"share": 0.40, "prevalence": 0.14, "automated": 0.40, "delay": 0.22,
                     "audit_rate": 0.030, "handle": 45},
    "ads_priority": {"share": 0.12, "prevalence": 0.22, "automated": 0.10, "delay": 0.25,
                     "audit_rate": 0.060, "handle": 55},
    "creative_review": {"share": 0.22, "prevalence": 0.16, "automated": 0.35, "delay": 0.18,
                        "audit_rate": 0.025, "handle": 70},
    "account_integrity": {"share": 0.10, "prevalence": 0.26, "automated": 0.0, "delay": 0.15,
                          "audit_rate": 0.050, "handle": 240},
    "landing_pages": {"share": 0.16, "prevalence": 0.18, "automated": 0.30, "delay": 0.20,
                      "audit_rate": 0.035, "handle": 150},
}

# market -> share of inflow and random-audit multiplier (small markets are oversampled so their
# estimates have usable intervals; the weights undo it in population estimates).
MARKETS: dict[str, dict] = {
    "US": {"share": 0.30, "audit_mult": 0.8}, "CA": {"share": 0.05, "audit_mult": 2.0},
    "BR": {"share": 0.09, "audit_mult": 1.2}, "MX": {"share": 0.06, "audit_mult": 1.5},
    "GB": {"share": 0.10, "audit_mult": 1.0}, "DE": {"share": 0.09, "audit_mult": 1.0},
    "FR": {"share": 0.07, "audit_mult": 1.2}, "IN": {"share": 0.12, "audit_mult": 1.0},
    "JP": {"share": 0.07, "audit_mult": 1.3}, "ID": {"share": 0.05, "audit_mult": 2.0},
}

# policy_code -> topic weight, difficulty (error multiplier), FP and FN multipliers (which error
# dominates), share of wrong-policy errors on correct rejections.
POLICIES: dict[str, dict] = {
    "MISLEADING_CLAIMS": {"weight": 0.20, "difficulty": 1.6, "fp": 0.6, "fn": 1.6},
    "HEALTH_CLAIMS": {"weight": 0.10, "difficulty": 1.5, "fp": 0.7, "fn": 1.5},
    "FINANCIAL_SERVICES": {"weight": 0.08, "difficulty": 1.4, "fp": 1.2, "fn": 1.1},
    "GAMBLING": {"weight": 0.07, "difficulty": 1.0, "fp": 1.6, "fn": 0.6},
    "TRADEMARK": {"weight": 0.10, "difficulty": 1.8, "fp": 1.8, "fn": 0.7},
    "COUNTERFEIT": {"weight": 0.10, "difficulty": 1.2, "fp": 0.9, "fn": 1.2},
    "ADULT_CONTENT": {"weight": 0.10, "difficulty": 0.7, "fp": 1.0, "fn": 0.9},
    "DANGEROUS_PRODUCTS": {"weight": 0.08, "difficulty": 0.9, "fp": 0.8, "fn": 1.1},
    "HATE_SPEECH": {"weight": 0.05, "difficulty": 1.3, "fp": 1.1, "fn": 1.2},
    "PHISHING": {"weight": 0.07, "difficulty": 0.8, "fp": 0.7, "fn": 1.3},
    "MALWARE": {"weight": 0.05, "difficulty": 0.6, "fp": 0.5, "fn": 1.0},
}

# Automated classifiers per item type; the model version changes halfway through the period and
# the new one over-enforces less.
CLASSIFIER_VERSIONS = ("v4", "v5")
CLASSIFIER_ERROR = {"v4": {"fpr": 0.050, "fnr": 0.070}, "v5": {"fpr": 0.028, "fnr": 0.065}}

# Handle time per item type is in QUEUES; these shape people.
DECISIONS_PER_MODERATOR_DAY = 260
MIN_MODERATORS_PER_VENDOR = 6
QA_PER_MODERATORS = 10
NEW_HIRE_SHARE = 0.12
TERMINATION_SHARE = 0.07
TEAM_MOVE_SHARE = 0.10
VENDOR_MOVE_SHARE = 0.03
ROSTER_SNAPSHOT_EVERY_DAYS = 7

RE_REVIEW_SHARE = 0.04
INCIDENT_DAY_SHARE = 0.10
LATE_AUDIT_SHARE = 0.07
QA_ERROR = 0.015

# Training (landing table `trainings`, seed courses.csv). Each effect below is applied to a human
# moderator's error probability, so the marts can be checked against a known truth.
# Onboarding ramp: error probability × (1 + ONBOARDING_EXTRA_ERROR · exp(−tenure days / ONBOARDING_RAMP_DAYS)):
# a new hire starts at 2.5 × their settled error rate and is within 10 % of it after ~12 weeks.
# Every moderator hired inside the period takes the onboarding course from the hire day, completing it
# ONBOARDING_COURSE_DAYS later.
ONBOARDING_EXTRA_ERROR = 1.5
ONBOARDING_RAMP_DAYS = 45.0
ONBOARDING_COURSE_DAYS = 10
# Moderators differ for good: a person's error probability × exp(MODERATOR_SKILL_SD · z), z ~ N(0, 1).
MODERATOR_SKILL_SD = 0.25
# Policy courses (refresher, policy_update) roll out to POLICY_COURSE_UPTAKE of the moderators, each on
# a day drawn uniformly in the middle of the period (POLICY_COURSE_ROLLOUT, as fractions of it), so
# not-yet-trained moderators work the same weeks as trained ones. After completing a refresher, a
# moderator's error probability on items of the course's policy × (1 − REFRESHER_ERROR_REDUCTION);
# policy updates change nothing.
POLICY_COURSE_UPTAKE = 0.7
POLICY_COURSE_ROLLOUT = (0.25, 0.75)
REFRESHER_ERROR_REDUCTION = 0.40
# Slumps and remedial training: in a person-week with probability SLUMP_WEEK_SHARE a moderator's error
# probability × SLUMP_ERROR_MULTIPLIER (a bad week that passes by itself). QA notices the first one and
# sends REMEDIAL_ASSIGNMENT_SHARE of those moderators to the remedial course in the days after it; after
# completion every error probability × (1 − REMEDIAL_ERROR_REDUCTION). The slump would have ended
# anyway, so a naive before/after comparison credits the course with regression to the mean.
SLUMP_WEEK_SHARE = 0.06
SLUMP_ERROR_MULTIPLIER = 2.0
REMEDIAL_ASSIGNMENT_SHARE = 0.6
REMEDIAL_ERROR_REDUCTION = 0.10
# Assessments (every course but remedial): score uniform in [ASSESSMENT_MIN_SCORE, 1], passed at
# ASSESSMENT_PASS_MARK or more.
ASSESSMENT_MIN_SCORE = 0.5
ASSESSMENT_PASS_MARK = 0.7
