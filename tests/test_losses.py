"""autograd.nn.losses: each loss against a hand computation, finite differences, and extreme logits."""

import math

import pytest

from autograd import Value, gradcheck
from autograd.nn.losses import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge,
    l2,
    log_softmax,
    logsumexp,
    mse,
    softmax,
)

LOGITS = [0.3, -1.2, 2.5, 0.0]


def values(numbers):
    return [Value(x) for x in numbers]


def test_mse_is_the_mean_of_squared_errors():
    preds = values([1.0, -2.0, 0.5])
    loss = mse(preds, [0.0, 1.0, 0.5])
    assert loss.data == pytest.approx((1.0 + 9.0 + 0.0) / 3, rel=1e-15)
    loss.backward()
    assert [p.grad for p in preds] == pytest.approx([2 * 1.0 / 3, 2 * -3.0 / 3, 0.0], rel=1e-15)
    gradcheck(lambda a, b: mse([a, b], [0.2, -0.4]), values([1.3, 0.7]))


def test_mse_takes_a_single_prediction():
    x = Value(3.0)
    assert mse(x, 1.0).data == 4.0


def test_hinge_is_micrograds_max_margin():
    scores = values([0.5, -2.0, 3.0, 0.2])
    labels = [1.0, -1.0, 1.0, -1.0]
    loss = hinge(scores, labels)
    by_hand = [max(0.0, 1 - y * s.data) for s, y in zip(scores, labels)]
    assert loss.data == pytest.approx(sum(by_hand) / 4, rel=1e-15)
    loss.backward()
    assert [s.grad for s in scores] == pytest.approx([-0.25, 0.0, 0.0, 0.25], rel=1e-15)
    gradcheck(lambda a, b: hinge([a, b], [1.0, -1.0]), values([0.3, 0.4]))


def test_binary_cross_entropy_with_logits_matches_the_textbook_formula():
    for z, t in [(0.7, 1.0), (-1.3, 0.0), (2.0, 0.25), (-0.4, 0.9)]:
        p = 1 / (1 + math.exp(-z))
        x = Value(z)
        loss = binary_cross_entropy_with_logits(x, t)
        assert loss.data == pytest.approx(-t * math.log(p) - (1 - t) * math.log(1 - p), rel=1e-13)
        loss.backward()
        assert x.grad == pytest.approx(p - t, rel=1e-12, abs=1e-15)
    gradcheck(lambda a, b: binary_cross_entropy_with_logits([a, b], [1.0, 0.0]), values([0.8, -0.6]))


def test_binary_cross_entropy_is_right_at_zero_and_finite_at_extreme_logits():
    x = Value(0.0)
    loss = binary_cross_entropy_with_logits(x, 1.0)
    loss.backward()
    assert (loss.data, x.grad) == (math.log(2), -0.5)  # sigmoid(0) - 1, not a kink's one-sided slope
    for z, t, value, slope in [(-800.0, 1.0, 800.0, -1.0), (800.0, 0.0, 800.0, 1.0), (800.0, 1.0, 0.0, 0.0)]:
        x = Value(z)
        loss = binary_cross_entropy_with_logits(x, t)
        loss.backward()
        assert (loss.data, x.grad) == (value, slope)


def test_logsumexp_is_log_of_a_sum_of_exps():
    xs = values(LOGITS)
    out = logsumexp(xs)
    total = sum(math.exp(v) for v in LOGITS)
    assert out.data == pytest.approx(math.log(total), rel=1e-15)
    out.backward()
    assert [x.grad for x in xs] == pytest.approx([math.exp(v) / total for v in LOGITS], rel=1e-14)
    assert logsumexp(values([1000.0, 1000.0])).data == 1000.0 + math.log(2)


def test_softmax_and_log_softmax_by_hand():
    total = sum(math.exp(v) for v in LOGITS)
    assert [p.data for p in softmax(values(LOGITS))] == pytest.approx([math.exp(v) / total for v in LOGITS], rel=1e-14)
    assert [p.data for p in log_softmax(values(LOGITS))] == pytest.approx([v - math.log(total) for v in LOGITS])
    gradcheck(lambda a, b, c: softmax([a, b, c])[1], values([0.1, -0.5, 0.9]))
    gradcheck(lambda a, b, c: log_softmax([a, b, c])[0], values([0.1, -0.5, 0.9]))


def test_softmax_family_is_exact_and_finite_at_extreme_logits():
    extreme = [1000.0, 0.0, -1000.0]
    assert [p.data for p in softmax(values(extreme))] == [1.0, math.exp(-1000), math.exp(-2000)]
    assert [p.data for p in log_softmax(values(extreme))] == [0.0, -1000.0, -2000.0]
    for target, expected in [(0, 0.0), (1, 1000.0), (2, 2000.0)]:
        xs = values(extreme)
        loss = cross_entropy(xs, target)
        loss.backward()
        assert loss.data == expected
        onehot = [1.0 if i == target else 0.0 for i in range(3)]
        assert [x.grad for x in xs] == [p - t for p, t in zip([1.0, 0.0, 0.0], onehot)]


def test_cross_entropy_is_minus_the_log_probability_of_the_target():
    xs = values(LOGITS)
    loss = cross_entropy(xs, 2)
    total = sum(math.exp(v) for v in LOGITS)
    assert loss.data == pytest.approx(-math.log(math.exp(LOGITS[2]) / total), rel=1e-14)
    loss.backward()
    expected = [math.exp(v) / total - (i == 2) for i, v in enumerate(LOGITS)]
    assert [x.grad for x in xs] == pytest.approx(expected, rel=1e-13)
    gradcheck(lambda a, b, c: cross_entropy([a, b, c], 0), values([0.1, -0.5, 0.9]))


def test_cross_entropy_of_a_batch_is_the_mean():
    batch = [values([0.1, 0.2, 0.3]), values([2.0, -1.0, 0.0])]
    loss = cross_entropy(batch, [2, 0])
    single = (cross_entropy(batch[0], 2).data + cross_entropy(batch[1], 0).data) / 2
    assert loss.data == pytest.approx(single, rel=1e-15)


def test_l2_is_alpha_times_the_sum_of_squares():
    params = values([1.0, -2.0, 0.5])
    reg = l2(params, 0.01)
    assert reg.data == pytest.approx(0.01 * (1 + 4 + 0.25), rel=1e-15)
    reg.backward()
    assert [p.grad for p in params] == pytest.approx([0.02, -0.04, 0.01], rel=1e-15)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="mse: 2 predictions but 1 targets"):
        mse(values([1.0, 2.0]), [1.0])
    with pytest.raises(ValueError, match="hinge: no examples"):
        hinge([], [])
    with pytest.raises(ValueError, match="softmax: needs at least one logit, got an empty list"):
        softmax([])
    with pytest.raises(IndexError, match="target 3 is not a class index for 3 logits"):
        cross_entropy(values([1.0, 2.0, 3.0]), 3)
    with pytest.raises(TypeError, match="cross_entropy: expects a list of Values or numbers"):
        cross_entropy(["a", "b"], 0)
