"""autograd.nn.optim: each optimizer's first steps against a hand computation, and the schedules."""

import math

import pytest

from autograd import Value
from autograd.nn import SGD, Adam, LambdaLR, LinearLR


def param(data, grad):
    p = Value(data)
    p.grad = grad
    return p


def test_sgd_steps_against_the_gradient():
    p = param(1.0, 0.5)
    SGD([p], lr=0.1).step()
    assert p.data == 1.0 - 0.1 * 0.5


def test_sgd_momentum_starts_with_the_gradient_then_accumulates():
    p = param(1.0, 0.5)
    opt = SGD([p], lr=0.1, momentum=0.9)
    opt.step()  # velocity 0.5
    assert p.data == pytest.approx(1.0 - 0.05, rel=1e-15)
    p.grad = -1.0
    opt.step()  # velocity 0.9 * 0.5 - 1.0 = -0.55
    assert p.data == pytest.approx(0.95 + 0.055, rel=1e-15)


def test_sgd_dampening_weight_decay_and_nesterov():
    p = param(2.0, 0.5)
    opt = SGD([p], lr=0.1, momentum=0.5, dampening=0.5, weight_decay=0.1)
    opt.step()  # g = 0.5 + 0.2 = 0.7; velocity 0.7
    assert p.data == pytest.approx(2.0 - 0.07, rel=1e-15)
    opt.step()  # g = 0.5 + 0.193 = 0.693; velocity 0.35 + 0.3465 = 0.6965
    assert p.data == pytest.approx(1.93 - 0.06965, rel=1e-15)
    q = param(1.0, 1.0)
    opt = SGD([q], lr=0.1, momentum=0.9, nesterov=True)
    opt.step()  # velocity 1.0; step along g + 0.9 * velocity = 1.9
    assert q.data == pytest.approx(1.0 - 0.19, rel=1e-15)


def test_adams_first_step_is_lr_times_the_sign_of_the_gradient():
    # bias correction makes the first step lr * g / (|g| + eps) whatever the scale of g
    for g in [3.0, -0.002]:
        p = param(1.0, g)
        Adam([p], lr=0.01).step()
        assert p.data == pytest.approx(1.0 - 0.01 * g / (abs(g) + 1e-8), rel=1e-14)


def test_adam_second_step_uses_bias_corrected_moments():
    p = param(0.5, 2.0)
    opt = Adam([p], lr=0.1, betas=(0.8, 0.99), eps=1e-6)
    opt.step()
    p.grad = -1.0
    opt.step()
    # the paper's formulas, written out: m and v are running means, divided by 1 - beta ** t
    data, m, v = 0.5, 0.0, 0.0
    for t, g in [(1, 2.0), (2, -1.0)]:
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        data -= 0.1 * (m / (1 - 0.8**t)) / (math.sqrt(v / (1 - 0.99**t)) + 1e-6)
    assert p.data == pytest.approx(data, rel=1e-14)


def test_adam_weight_decay_is_added_to_the_gradient():
    p, q = param(2.0, 0.5), param(2.0, 0.5 + 0.1 * 2.0)
    Adam([p], lr=0.01, weight_decay=0.1).step()
    Adam([q], lr=0.01).step()
    assert p.data == q.data


def test_zero_grad_resets_the_optimizers_parameters():
    ps = [param(1.0, 2.0), param(3.0, -1.0)]
    SGD(ps, lr=0.1).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="SGD got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"Adam optimizes Values, got 1\.0"):
        Adam([1.0])
    with pytest.raises(ValueError, match=r"SGD: lr must be a finite number >= 0, got -0\.1"):
        SGD([Value(1.0)], lr=-0.1)
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        SGD([Value(1.0)], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"Adam: betas must be in \[0, 1\), got \(0.9, 1.0\)"):
        Adam([Value(1.0)], betas=(0.9, 1.0))


def test_a_step_that_overflows_raises_instead_of_storing_inf():
    p = param(1e308, -1e308)
    with pytest.raises(ValueError, match=r"SGD\.step: the update of .* is not finite"):
        SGD([p], lr=10.0).step()
    assert p.data == 1e308


def test_linear_lr_is_micrograds_decay_from_1_to_0_1():
    opt = SGD([Value(1.0)], lr=1.0)
    schedule = LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=100)
    seen = []
    for _ in range(102):
        seen.append(opt.lr)
        schedule.step()
    assert seen[:100] == pytest.approx([1.0 - 0.9 * k / 100 for k in range(100)], rel=1e-14)
    assert seen[100] == seen[101] == pytest.approx(0.1)


def test_lambda_lr_multiplies_the_base_rate():
    opt = Adam([Value(1.0)], lr=0.2)
    schedule = LambdaLR(opt, lambda epoch: 0.5**epoch)
    assert opt.lr == 0.2
    schedule.step()
    schedule.step()
    assert opt.lr == 0.05
