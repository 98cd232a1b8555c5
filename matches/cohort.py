"""Scoring mentor–mentee pairs and the optimal cohort assignment.

The same weights explain a single suggestion (selectors.mentor_suggestions)
and score a whole cohort here, vectorised with numpy so that 5,000 mentees ×
1,000 mentors is a few matrix products. The assignment is optimal, not greedy:
only the pairs a mentee or a mentor ranks near their top become edges of a
sparse capacity-expanded graph (each mentor's spare places are nodes), and the
best matching on that graph is solved exactly (scipy's
min_weight_full_bipartite_matching) — no dense mentees × places matrix. One
solver at every size: `make bench` (bench/matching.py) shows it within 0.05%
of the optimum at 5,000 × 1,000 in an eighth of the exact solver's time. A
pair that breaks a *required* preference is never chosen.
"""

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

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

TOP_MENTORS = 10  # per mentee, their best-scoring mentors...
TOP_MENTORS_FEW_PLACES = 3  # ...or only these when mentees outnumber places twice over (most wait anyway)
TOP_MENTEES_PER_PLACE = 5  # per mentor, this many best-scoring mentees for each spare place
BLOCK_CELLS = 2_000_000  # score cells selected from at a time (16 MB of float64)


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
    mentor; a pair scored FORBIDDEN is never kept. As many mentees are placed
    as the places and the allowed pairs permit; among those assignments, the
    total score is the highest (so when places are fewer than mentees, the
    mentees left out are those whose fits are weakest overall).

    Only the pairs a mentee or a mentor ranks near their top are edges (see
    candidates()), and the best matching on those is solved exactly: within a
    fraction of a percent of the full optimum (the optimum itself when every
    pair is a candidate, as in a small cohort), in a fraction of its time and
    memory (bench/matching.py measures both). Deterministic: the same input
    gives the same assignment.
    """
    score = np.asarray(score)
    m, n = score.shape
    out = np.full(m, -1)
    spare = np.maximum(np.asarray(spare, dtype=np.int64), 0)
    if not m or not spare.sum():
        return out
    room = np.flatnonzero(spare)
    if len(room) < n:  # a full mentor can take no one: leave their column out
        score, spare = score[:, room], spare[room]
    rows, cols = candidates(score, spare)
    weight = score[rows, cols].astype(np.float64)
    allowed = weight > FORBIDDEN / 2
    rows, cols, weight = rows[allowed], cols[allowed], weight[allowed]
    if not len(rows):
        return out
    # Capacity expansion, sparse: mentor j's places are first[j] .. first[j] + spare[j] - 1, and a
    # candidate pair becomes one edge to each of them.
    first = np.concatenate([[0], np.cumsum(spare)])
    places = int(first[-1])
    copies = spare[cols]
    mentee = np.repeat(rows, copies)
    weight = np.repeat(weight, copies)
    place = np.repeat(first[cols] - np.cumsum(copies) + copies, copies) + np.arange(len(mentee))
    # Placing one more mentee must outweigh any difference in score (lexicographic: how many, then
    # how well), and every weight must be positive (an explicit zero is no edge): with the scores
    # shifted to 2..spread+2, a bonus of `smaller side × (spread + 1)` does both. Each node of the
    # smaller side also gets a private "none" partner of weight 1, so a full matching always exists.
    # The smaller side is the graph's rows (the solver would otherwise transpose it).
    smaller = min(m, places)
    low, spread = weight.min(), weight.max() - weight.min()
    weight += 2.0 - low + smaller * (spread + 1.0)
    own = np.arange(smaller)
    weight = np.concatenate([weight, np.ones(smaller)])
    if m <= places:  # every mentee is matched: to a place or to their own "none" column
        graph = csr_array((weight, (np.concatenate([mentee, own]), np.concatenate([place, places + own]))),
                          shape=(m, places + m))
        matched_mentee, matched_place = min_weight_full_bipartite_matching(graph, maximize=True)
    else:  # every place is matched: to a mentee or to its own "left empty" column
        graph = csr_array((weight, (np.concatenate([place, own]), np.concatenate([mentee, m + own]))),
                          shape=(places, m + places))
        matched_place, matched_mentee = min_weight_full_bipartite_matching(graph, maximize=True)
    real = (matched_mentee < m) & (matched_place < places)
    out[matched_mentee[real]] = np.repeat(room, spare)[matched_place[real]]
    return out


def candidates(score: np.ndarray, spare: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (row, column) pairs the assignment may choose from, each once: each
    mentee's TOP_MENTORS best mentors (TOP_MENTORS_FEW_PLACES when mentees are
    more than twice the places) and each mentor's TOP_MENTEES_PER_PLACE × spare
    best mentees. The mentee side matters when places outnumber mentees
    (everyone is placed: each needs good options); the mentor side when mentees
    outnumber places (every place is filled: each needs good takers). Selected
    in blocks of rows or columns with argpartition, so no array of the score
    matrix's size is ever made.
    """
    m, n = score.shape
    k = min(TOP_MENTORS if m <= 2 * spare.sum() else TOP_MENTORS_FEW_PLACES, n)
    step = max(1, BLOCK_CELLS // n)
    mentors_of = np.empty((m, k), dtype=np.int64)  # row i: mentee i's k best columns
    for start in range(0, m, step):
        block = score[start:start + step]
        mentors_of[start:start + len(block)] = (
            np.argpartition(block, n - k, axis=1)[:, n - k:] if k < n else np.arange(n))
    found_rows, found_cols = [np.repeat(np.arange(m), k)], [mentors_of.ravel()]
    per_mentor = np.minimum(TOP_MENTEES_PER_PLACE * spare, m)
    most = int(per_mentor.max())
    step = max(1, BLOCK_CELLS // (m * 8))  # narrow column blocks: the transposed copy stays in cache
    for start in range(0, n, step):
        block = np.ascontiguousarray(score[:, start:start + step].T)
        best = np.argpartition(block, m - most, axis=1)[:, m - most:] if most < m else np.argsort(block, axis=1)
        want = per_mentor[start:start + step]
        if (want < most).any():  # a mentor with fewer places keeps only their best few of the `most`
            order = np.argsort(-np.take_along_axis(block, best, axis=1), axis=1, kind="stable")
            best = np.take_along_axis(best, order, axis=1)
            keep = np.arange(best.shape[1])[None, :] < want[:, None]
        else:
            keep = np.ones(best.shape, dtype=bool)
        rows = best[keep]
        cols = np.broadcast_to(np.arange(start, start + len(block))[:, None], best.shape)[keep]
        new = ~(mentors_of[rows] == cols[:, None]).any(axis=1)  # not already a mentee-side pair
        found_rows.append(rows[new])
        found_cols.append(cols[new])
    return np.concatenate(found_rows), np.concatenate(found_cols)


def assign_pairs(score: np.ndarray, spare: np.ndarray) -> list[tuple[int, int, float]]:
    """assign() as (mentee row, mentor column, score) triples."""
    assignment = assign(score, spare)
    return [(int(i), int(j), float(score[i, j])) for i, j in enumerate(assignment) if j >= 0]
