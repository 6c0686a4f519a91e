"""autograd.nn.losses: each loss against a hand computation, finite differences, and extreme logits."""

import math
import re

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


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        # PyTorch wants an integer class index too ("expected target dtype to be Long")
        (
            lambda: cross_entropy(values([1.0, 2.0]), 1.0),
            TypeError,
            "cross_entropy: the target must be a class index (an int), got 1.0; write 1",
        ),
        (lambda: cross_entropy([Value(5.0)], 0.0), TypeError, "the target must be a class index (an int), got 0.0"),
        (
            lambda: cross_entropy(values([1.0, 2.0]), True),
            TypeError,
            "the target must be a class index (an int), got True",
        ),
        (
            lambda: cross_entropy(values([1.0, 2.0]), Value(1.0)),
            TypeError,
            "a class index is not a Value: write int(target.data)",
        ),
        (lambda: cross_entropy(values([1.0, 2.0]), -1), IndexError, "target -1 is not a class index for 2 logits"),
        (
            lambda: cross_entropy(values([1.0, 2.0, 3.0]), [0.0, 1.0, 0.0]),
            TypeError,
            "one example (a list of 3 logits) takes one class index, got [0.0, 1.0, 0.0]; a batch is a list of logit",
        ),
        (
            lambda: cross_entropy([values([1.0, 2.0])] * 2, [0, 1.0]),
            TypeError,
            "the target of example 1 must be a class index (an int), got 1.0; write 1",
        ),
        (
            lambda: cross_entropy([values([1.0, 2.0])] * 2, [0, 2]),
            IndexError,
            "target 2 of example 1 is not a class index for 2 logits",
        ),
        (
            lambda: cross_entropy([values([1.0, 2.0])] * 2, 1),
            TypeError,
            "a batch of 2 examples takes a list of 2 class indices, got 1",
        ),
        (lambda: cross_entropy([values([1.0, 2.0])] * 2, [1]), ValueError, "cross_entropy: 2 examples but 1 targets"),
        (
            lambda: cross_entropy([values([1.0, 2.0]), values([1.0])], [0, 0]),
            ValueError,
            "example 1 has 1 logits but example 0 has 2; every example needs one logit per class",
        ),
        (lambda: logsumexp(Value(1.0)), TypeError, "logsumexp: expects a list of logits, got one Value; write [x]"),
        (lambda: softmax([[1.0, 2.0]]), TypeError, "; for a batch write [softmax(row) for row in batch]"),
        (lambda: log_softmax(None), TypeError, "log_softmax: expects a list of Values or numbers, got None"),
        (
            lambda: hinge(values([0.5, 1.0]), [1.0, 0.0]),
            ValueError,
            "hinge: labels must be -1 or +1, got 0.0 at index 1; for 0/1 labels write 2 * y - 1",
        ),
        (
            lambda: binary_cross_entropy_with_logits(Value(0.5), -1.0),
            ValueError,
            "targets are probabilities in [0, 1], got -1.0 at index 0; for -1/+1 labels write (y + 1) / 2",
        ),
        (lambda: mse(values([1.0]), ["1"]), TypeError, "mse: targets must be Values or numbers, got '1' at index 0"),
        (lambda: mse("ab", [1.0, 2.0]), TypeError, "mse: expects predictions as a list of Values or numbers, got 'ab'"),
        (lambda: l2(values([1.0]), -0.1), ValueError, "l2: alpha must be a finite number >= 0, got -0.1"),
        (lambda: l2(values([1.0]), "0.1"), TypeError, "l2: alpha must be a number, got '0.1' (str)"),
        (lambda: l2(Value(1.0), 0.1), TypeError, "l2 takes a list of parameters, got one Value: write l2([p], alpha)"),
        (lambda: l2([1.0], 0.1), TypeError, "l2 takes a list of Values such as model.parameters(), got 1.0 at index 0"),
    ],
)
def test_mistakes_get_an_answer_that_says_what_to_write(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_l2_of_the_model_itself_says_to_pass_its_parameters():
    from autograd.nn import MLP

    with pytest.raises(TypeError, match=re.escape("write l2(model.parameters(), alpha)")):
        l2(MLP(2, [1], seed=0), 0.1)


def test_l2_of_no_parameters_is_a_constant_zero_value():
    reg = l2([], 0.1)
    assert isinstance(reg, Value) and (reg.data, reg.requires_grad) == (0.0, False)


def test_predictions_may_come_from_a_generator():
    xs = [1.0, -2.0, 0.5]
    assert mse((Value(x) for x in xs), [0.0, 1.0, 0.5]).data == mse(values(xs), [0.0, 1.0, 0.5]).data


def test_a_numpy_int_is_a_class_index():
    numpy = pytest.importorskip("numpy")
    assert cross_entropy(values(LOGITS), numpy.int64(2)).data == cross_entropy(values(LOGITS), 2).data


def test_labels_and_targets_that_are_values_are_not_read_so_that_compile_can_trace_them():
    import autograd

    def loss(z, t):
        return binary_cross_entropy_with_logits(z, t) + hinge(z, [2 * y - 1 for y in t])

    f = autograd.compile(loss, [0.5, -1.0], [1.0, 0.0])
    value, _ = f([0.3, 2.0], [0.0, 1.0])
    assert value == loss(values([0.3, 2.0]), [0.0, 1.0]).data
