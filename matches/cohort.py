"""Scoring mentor–mentee pairs and the optimal cohort assignment.

The same weights explain a single suggestion (selectors.mentor_suggestions)
and score a whole cohort here, vectorised with numpy so that 5,000 mentees ×
1,000 mentors is a few matrix products. The assignment is optimal, not greedy:
each mentor's spare places become columns (the capacity-expanded matrix) and
scipy's linear_sum_assignment maximises the total score; a pair that breaks a
*required* preference costs so much that it is never chosen, and is dropped.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

# Points for each reason a pair fits. Preferences are soft unless required.
W_TOPIC = 2.0  # per shared topic or experience
W_GENDER = 3.0  # the mentor's gender is the one the mentee asked for
W_CONTACT = 1.0  # per contact method both like (in person, phone, text, web)
W_TIME_ZONE = 1.0  # time zones within TZ_HOURS of each other (availability)
TZ_HOURS = 3
W_GROUP = 2.0  # in the same support group
W_SPARE = 0.5  # per spare place, up to SPARE_CAP
SPARE_CAP = 2
FORBIDDEN = -1e6


@dataclass
class Side:
    """One side of the cohort as arrays (row i is person i).

    topics (n, T) bool; contact (n, 4) bool; tz (n,) UTC offset hours; groups (n, G) bool;
    gender (n,) int code (-1 unknown). Mentees also: wants_gender (n,) int (-1 none) and
    gender_required (n,) bool. Mentors also: spare (n,) int places left.
    """

    ids: list[int]
    topics: np.ndarray
    contact: np.ndarray
    tz: np.ndarray
    groups: np.ndarray
    gender: np.ndarray
    wants_gender: np.ndarray | None = None
    gender_required: np.ndarray | None = None
    spare: np.ndarray | None = None


def score_matrix(mentees: Side, mentors: Side) -> np.ndarray:
    """Scores (n mentees × m mentors); FORBIDDEN where a required preference fails."""
    t_a, t_b = mentees.topics.astype(np.float32), mentors.topics.astype(np.float32)
    score = W_TOPIC * (t_a @ t_b.T)
    score += W_CONTACT * (mentees.contact.astype(np.float32) @ mentors.contact.astype(np.float32).T)
    score += W_TIME_ZONE * (np.abs(mentees.tz[:, None] - mentors.tz[None, :]) <= TZ_HOURS)
    score += W_GROUP * ((mentees.groups.astype(np.float32) @ mentors.groups.astype(np.float32).T) > 0)
    score += (W_SPARE * np.minimum(mentors.spare, SPARE_CAP))[None, :]
    wants = mentees.wants_gender[:, None]
    same = (wants >= 0) & (wants == mentors.gender[None, :])
    score += W_GENDER * same
    score[(mentees.gender_required[:, None] & (wants >= 0)) & ~same] = FORBIDDEN
    return score


def assign(score: np.ndarray, spare: np.ndarray) -> np.ndarray:
    """The best overall assignment: for each mentee (row), the mentor's column, or -1.

    Each mentor j takes at most `spare[j]` mentees; each mentee at most one
    mentor; a pair scored FORBIDDEN is never kept. When places are fewer than
    mentees, the mentees left out are those whose fits are weakest overall.
    """
    out = np.full(score.shape[0], -1)
    slots = np.repeat(np.arange(score.shape[1]), np.maximum(np.asarray(spare, dtype=int), 0))
    if not len(slots) or not score.shape[0]:
        return out
    rows, cols = linear_sum_assignment(score[:, slots], maximize=True)
    chosen = slots[cols]
    keep = score[rows, chosen] > FORBIDDEN / 2
    out[rows[keep]] = chosen[keep]
    return out


def assign_pairs(score: np.ndarray, spare: np.ndarray) -> list[tuple[int, int, float]]:
    """assign() as (mentee row, mentor column, score) triples."""
    assignment = assign(score, spare)
    return [(int(i), int(j), float(score[i, j])) for i, j in enumerate(assignment) if j >= 0]
