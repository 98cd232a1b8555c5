"""The cohort assignment (matches.cohort) against the exact optimum (scipy's
linear_sum_assignment on the dense capacity-expanded matrix, here only as the
reference), and the hard rules (capacity, required preferences) it must keep."""

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linear_sum_assignment

from matches import cohort


def _sparse(score, spare, every_mentor=False):
    """assign(); with every_mentor, each mentee's TOP_MENTORS best are candidates however few the places."""
    few = cohort.TOP_MENTORS if every_mentor else cohort.TOP_MENTORS_FEW_PLACES
    with mock.patch.object(cohort, "TOP_MENTORS_FEW_PLACES", few):
        return cohort.assign(score, spare)


def _exact(score, spare):
    """The exact optimum on the dense capacity-expanded matrix: the reference, not the product's."""
    out = np.full(score.shape[0], -1)
    slots = np.repeat(np.arange(score.shape[1]), np.maximum(np.asarray(spare, dtype=int), 0))
    if not len(slots) or not score.shape[0]:
        return out
    rows, cols = linear_sum_assignment(score[:, slots], maximize=True)
    chosen = slots[cols]
    keep = score[rows, chosen] > cohort.FORBIDDEN / 2
    out[rows[keep]] = chosen[keep]
    return out


def _total(score, assignment):
    chosen = assignment >= 0
    return float(score[np.flatnonzero(chosen), assignment[chosen]].sum()), int(chosen.sum())


def _check_rules(score, spare, assignment):
    chosen = assignment >= 0
    assert (np.bincount(assignment[chosen], minlength=score.shape[1]) <= np.maximum(spare, 0)).all()
    assert (score[np.flatnonzero(chosen), assignment[chosen]] > cohort.FORBIDDEN / 2).all()


@st.composite
def cohorts(draw):
    m = draw(st.integers(1, 9))
    n = draw(st.integers(1, cohort.TOP_MENTORS))  # every pair is a candidate: the sparse answer is exact
    score = draw(arrays(np.float64, (m, n), elements=st.integers(0, 20).map(float)))
    forbidden = draw(arrays(np.bool_, (m, n), elements=st.booleans()))
    score[forbidden & draw(arrays(np.bool_, (m, n), elements=st.booleans()))] = cohort.FORBIDDEN
    spare = draw(arrays(np.int64, (n,), elements=st.integers(0, 3)))
    return score, spare


@settings(max_examples=300, deadline=None)
@given(cohorts())
def test_the_sparse_assignment_reaches_the_exact_optimum_when_every_pair_is_a_candidate(case):
    score, spare = case
    fast, exact = _sparse(score, spare, every_mentor=True), _exact(score, spare)
    _check_rules(score, spare, fast)
    fast_total, fast_matched = _total(score, fast)
    exact_total, exact_matched = _total(score, exact)
    assert fast_matched == exact_matched  # as many placed as the exact solver places...
    assert fast_total == pytest.approx(exact_total)  # ...and the same best total


def _random_cohort(m, n, seed):
    rng = np.random.default_rng(seed)
    groups = max(1, n // 20)

    def side(count, mentor):
        member = np.zeros((count, groups), dtype=bool)
        member[np.arange(count), rng.integers(0, groups, count)] = True
        extra = {"spare": rng.choice([0, 1, 2, 2, 3], count)} if mentor else {}
        if not mentor:
            wants = np.where(rng.random(count) < 0.3, rng.integers(0, 3, count), -1)
            extra = {"wants_gender": wants, "gender_required": (wants >= 0) & (rng.random(count) < 0.5)}
        return cohort.Side(list(range(count)), rng.random((count, 20)) < 0.2, rng.random((count, 4)) < 0.5,
                           rng.choice([-8.0, -5.0, 0.0, 1.0], count), member, rng.integers(0, 3, count), **extra)

    mentees, mentors = side(m, False), side(n, True)
    # The project's scores take few values; a little noise per pair makes the optimum unique enough to compare.
    score = cohort.score_matrix(mentees, mentors).astype(np.float64) + rng.random((m, n)) * 0.1
    return score, mentors.spare


@pytest.mark.parametrize(("m", "n"), [(600, 100), (150, 150), (100, 300)])
@pytest.mark.parametrize("seed", [1, 2])
def test_with_truncated_candidates_the_assignment_stays_within_half_a_percent_and_keeps_the_rules(m, n, seed):
    score, spare = _random_cohort(m, n, seed)
    assert (score < cohort.FORBIDDEN / 2).any() and not spare.all()  # required preferences and full mentors
    fast, exact = _sparse(score, spare), _exact(score, spare)
    _check_rules(score, spare, fast)
    assert not (fast[:, None] == np.flatnonzero(spare == 0)[None, :]).any()  # no one goes to a full mentor
    fast_total, fast_matched = _total(score, fast)
    exact_total, exact_matched = _total(score, exact)
    assert fast_matched >= 0.995 * exact_matched
    assert fast_total >= 0.995 * exact_total


def test_the_assignment_is_deterministic():
    score, spare = _random_cohort(800, 400, 3)
    first = cohort.assign(score, spare)
    assert (first == cohort.assign(score.copy(), spare.copy())).all()
    _check_rules(score, spare, first)


def test_no_places_or_no_mentees_assigns_no_one():
    assert _sparse(np.ones((3, 2)), np.array([0, 0])).tolist() == [-1, -1, -1]
    assert _sparse(np.ones((0, 2)), np.array([1, 1])).tolist() == []
    assert _sparse(np.full((2, 2), cohort.FORBIDDEN), np.array([1, 1])).tolist() == [-1, -1]
