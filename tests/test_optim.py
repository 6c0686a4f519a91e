"""autograd.nn.optim: each optimizer's first steps against a hand computation, and the schedules."""

import functools
import math
import re
import sys

import pytest
from interrupts import _ours

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


# ---- a step that raises changes nothing; an interrupt leaves all or nothing ----


def interrupted(action, k):
    """Run ``action()``, raising KeyboardInterrupt at the k-th bytecode it executes in the package's
    code, as a Ctrl-C there would; True if it completed before reaching the k-th. Other frames are
    not counted: an interrupt raised in a gc callback (hypothesis installs one) is swallowed there."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if not _ours(frame):
            return None
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
            if count == k:
                raise KeyboardInterrupt
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        action()
    except KeyboardInterrupt:
        return False
    finally:
        sys.settrace(previous)
    return True


def assert_all_or_nothing(make, act, snapshot):
    """For every bytecode of ``act`` an interrupt may land on, the state is the old or the new one."""
    if sys.version_info >= (3, 12):
        pytest.skip("interrupts from a trace function are faithful on Python 3.11 only (see tests/interrupts.py)")
    objects = make()
    before = snapshot(objects)
    act(objects)
    after = snapshot(objects)
    assert before != after
    k = 0
    while True:
        k += 1
        objects = make()
        if interrupted(functools.partial(act, objects), k):
            break
        assert snapshot(objects) in (before, after), f"half-applied after an interrupt at bytecode {k}"
        act(objects)  # and nothing is left that spoils the next call
    assert k > 50  # the interrupts did land inside step()


def three_params():
    return [param(1.0, 0.5), param(-2.0, 0.25), param(3.0, -1.0)]


def test_an_interrupt_anywhere_in_sgd_step_leaves_all_or_nothing():
    def make():
        opt = SGD(three_params(), lr=0.1, momentum=0.9, weight_decay=0.01)
        opt.step()  # so that the momentum buffers exist
        return opt

    assert_all_or_nothing(make, lambda opt: opt.step(), lambda opt: ([p.data for p in opt.params], list(opt.velocity)))


def test_an_interrupt_anywhere_in_adam_step_leaves_all_or_nothing():
    def snapshot(opt):
        return [p.data for p in opt.params], opt.steps, list(opt.counts), list(opt.mean), list(opt.square)

    assert_all_or_nothing(lambda: Adam(three_params(), lr=0.1), lambda opt: opt.step(), snapshot)


def test_an_interrupt_anywhere_in_a_schedule_step_leaves_lr_and_epoch_together():
    def make():
        return LinearLR(SGD([Value(1.0)], lr=1.0), start_factor=0.5, end_factor=1.0, total_iters=4)

    assert_all_or_nothing(make, lambda s: s.step(), lambda s: (s.optimizer.lr, s.epoch))


def test_a_step_whose_last_update_overflows_changes_no_parameter_and_no_state():
    a, b = param(1.0, 0.5), param(1e308, -1e308)
    opt = SGD([a, b], lr=10.0, momentum=0.9)
    with pytest.raises(ValueError, match=r"SGD\.step: the update of parameter 1 \(.*\) is not finite"):
        opt.step()
    assert (a.data, b.data, opt.velocity) == (1.0, 1e308, [None, None])
    a, b = param(1.0, 0.5), param(1.0, 1e200)  # its square overflows Adam's running mean of squares
    opt = Adam([a, b], lr=0.1)
    with pytest.raises(
        ValueError, match=r"Adam\.step: the running square of the gradient of parameter 1 .* not finite"
    ):
        opt.step()
    assert (a.data, b.data, opt.steps, opt.counts, opt.mean, opt.square) == (1.0, 1.0, 0, [0, 0], [0.0] * 2, [0.0] * 2)


def test_a_bad_gradient_is_named_and_changes_nothing():
    a, b = param(1.0, 0.5), param(2.0, math.inf)
    opt = Adam([a, b], lr=0.1)
    with pytest.raises(ValueError, match=r"Adam\.step: parameter 1 \(.*\) has a gradient that is not finite \(inf\)"):
        opt.step()
    assert (a.data, opt.steps, opt.mean) == (1.0, 0, [0.0, 0.0])
    b.grad = Value(3.0)  # what grad(..., create_graph=True) returns
    with pytest.raises(TypeError, match=r"parameter 1 .* not a number: Value\(.*\); .* assign its \.data"):
        SGD([a, b], lr=0.1).step()
    assert a.data == 1.0
    b.grad = "0.5"
    with pytest.raises(TypeError, match=r"SGD\.step: parameter 1 .* has a \.grad that is not a number: '0\.5'"):
        SGD([a, b], lr=0.1).step()


def test_a_gradient_that_is_a_numpy_float_or_an_int_is_taken():
    numpy = pytest.importorskip("numpy")
    a, b = param(1.0, numpy.float32(0.5)), param(1.0, 2)
    SGD([a, b], lr=0.1).step()
    assert (type(a.data), a.data, b.data) == (float, 0.95, 0.8)


def test_a_parameter_whose_grad_is_none_is_skipped_as_in_pytorch():
    a, b = param(1.0, 0.5), param(2.0, None)
    opt = SGD([a, b], lr=0.1, momentum=0.9, weight_decay=0.1)  # not even decayed
    opt.step()
    assert (a.data, b.data, opt.velocity[1]) == (pytest.approx(1.0 - 0.1 * 0.6), 2.0, None)
    opt = Adam([a, b], lr=0.1)
    opt.step()
    assert (b.data, opt.counts, opt.mean[1], opt.steps) == (2.0, [1, 0], 0.0, 1)


def test_a_frozen_parameter_is_skipped():
    a, b = param(1.0, 0.5), param(2.0, 0.5)
    b.requires_grad = False  # frozen, the way PyTorch freezes a layer
    SGD([a, b], lr=0.1, weight_decay=0.5).step()
    assert (a.data, b.data) == (pytest.approx(1.0 - 0.1), 2.0)


def test_a_parameter_listed_twice_is_refused_not_stepped_twice():
    a, b = param(1.0, 0.5), param(2.0, 0.5)
    # PyTorch warns "optimizer contains a parameter group with duplicate parameters; in future, this
    # will cause an error" and steps it twice; here it is that error, naming both positions
    with pytest.raises(
        ValueError, match=r"SGD: parameter 2 is parameter 0 again \(Value\(data=1\.0.*list each parameter once"
    ):
        SGD([a, b, a], lr=0.1)
    with pytest.raises(ValueError, match="Adam: parameter 1 is parameter 0 again"):
        Adam([a, a])


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.1)])
def test_the_parameters_are_fixed_when_the_optimizer_is_made(make):
    # the state is kept per parameter by position: a list that changed later would give one
    # parameter another's momentum (or an IndexError), so the list cannot change
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    opt = make([a, b])
    with pytest.raises(AttributeError):
        opt.params.append(c)
    with pytest.raises(AttributeError, match=r"params is fixed when the optimizer is made.*make a new optimizer"):
        opt.params = [b, a]
    assert opt.params == (a, b)
    a.grad, b.grad = 1.0, -1.0
    opt.step()
    assert a.data < 1.0 < 2.0 < b.data


def test_zero_grad_set_to_none_leaves_none_which_backward_fills_and_step_skips():
    from autograd.nn import MLP

    model = MLP(2, [3, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    opt.zero_grad(set_to_none=True)
    assert all(p.grad is None for p in model.parameters())
    before = [p.data for p in model.parameters()]
    opt.step()  # no gradient anywhere: nothing moves
    assert [p.data for p in model.parameters()] == before
    model.zero_grad(set_to_none=True)
    out = model([0.5, -1.0])
    out.backward()
    expected = [p.grad for p in model.parameters()]
    assert all(type(g) is float for g in expected)
    model.zero_grad()
    model([0.5, -1.0]).backward()
    assert [p.grad for p in model.parameters()] == expected  # the same as from 0.0


def test_a_computed_value_is_not_a_parameter():
    a = Value(1.0)
    with pytest.raises(ValueError, match=r"SGD can't optimize parameter 1, .*: it was computed by '\*'"):
        SGD([a, a * 2], lr=0.1)


def test_passing_the_model_or_one_value_says_what_to_write():
    from autograd.nn import MLP

    with pytest.raises(TypeError, match=re.escape("write SGD(model.parameters(), ...)")):
        SGD(MLP(2, [1], seed=0), lr=0.1)
    with pytest.raises(TypeError, match=re.escape("got one Value: write Adam([p], ...)")):
        Adam(Value(1.0))
    with pytest.raises(TypeError, match=r"SGD optimizes Values, got 1\.0 at position 1"):
        SGD([Value(1.0), 1.0], lr=0.1)


def test_adam_with_eps_zero_says_why_it_cannot_divide():
    a = param(1.0, 0.0)
    opt = Adam([a], eps=0.0)  # allowed, as in PyTorch, but a zero gradient then gives 0 / 0
    with pytest.raises(ValueError, match=r"divides by zero: .* eps is 0; use eps > 0, such as the default 1e-8"):
        opt.step()
    assert (a.data, opt.steps) == (1.0, 0)


def test_settings_of_the_wrong_type_or_range_are_named():
    p = Value(1.0)
    with pytest.raises(TypeError, match=r"SGD: lr must be a number, got '0\.1' \(str\)"):
        SGD([p], lr="0.1")
    with pytest.raises(TypeError, match=r"SGD: lr must be a number, got Value\(.*\); use its \.data"):
        SGD([p], lr=Value(0.1))
    with pytest.raises(TypeError, match="SGD: nesterov must be True or False, got 'yes'"):
        SGD([p], lr=0.1, momentum=0.9, nesterov="yes")
    with pytest.raises(ValueError, match="SGD: dampening must be a finite number, got nan"):
        SGD([p], lr=0.1, momentum=0.9, dampening=math.nan)
    with pytest.raises(
        TypeError, match=r"Adam: betas must be a pair \(beta1, beta2\) such as \(0\.9, 0\.999\), got 0\.9"
    ):
        Adam([p], betas=0.9)
    with pytest.raises(TypeError, match=r"betas must be a pair .* got \(0\.9, 0\.9, 0\.9\)"):
        Adam([p], betas=(0.9, 0.9, 0.9))
    with pytest.raises(TypeError, match=r"Adam: betas\[1\] must be a number, got '0\.999'"):
        Adam([p], betas=(0.9, "0.999"))
    opt = SGD([p], lr=0.1)
    with pytest.raises(ValueError, match=r"SGD: lr must be a finite number >= 0, got -1"):
        opt.lr = -1  # the settable lr is checked too
    assert opt.lr == 0.1


def test_schedule_settings_are_checked_as_pytorch_checks_them():
    opt = SGD([Value(1.0)], lr=1.0)
    with pytest.raises(ValueError, match=r"LinearLR: start_factor must be in \(0, 1\], got 0\.0"):
        LinearLR(opt, start_factor=0.0)
    with pytest.raises(ValueError, match=r"LinearLR: end_factor must be in \[0, 1\], got 2\.0"):
        LinearLR(opt, end_factor=2)
    with pytest.raises(TypeError, match=r"total_iters must be an int \(a number of steps\), got 100\.0; write 100"):
        LinearLR(opt, total_iters=100.0)
    with pytest.raises(TypeError, match=r"total_iters must be an int .* got True"):
        LinearLR(opt, total_iters=True)
    with pytest.raises(
        TypeError, match=r"lr_lambda must be a function of the epoch such as lambda epoch: 0\.95 \*\* epoch"
    ):
        LambdaLR(opt, 0.5)
    with pytest.raises(TypeError, match=r"LambdaLR schedules an optimizer such as SGD\(params, lr=0\.1\), got None"):
        LambdaLR(None, lambda epoch: 1.0)
    assert opt.lr == 1.0


def test_a_schedule_whose_factor_is_bad_changes_neither_lr_nor_epoch():
    opt = SGD([Value(1.0)], lr=1.0)
    schedule = LambdaLR(opt, lambda epoch: 0.5 if epoch < 2 else "x")
    schedule.step()
    with pytest.raises(TypeError, match=r"LambdaLR: lr_lambda\(2\) returned 'x'; it must return a finite number >= 0"):
        schedule.step()
    assert (opt.lr, schedule.epoch) == (0.5, 1)
