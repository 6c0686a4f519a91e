"""Losses, optimizers and schedules against PyTorch in float64: one step must match to rounding."""

import random

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): comparison skipped")
F = torch.nn.functional

from autograd import Value  # noqa: E402
from autograd.nn import (  # noqa: E402
    MLP,
    SGD,
    Adam,
    LinearLR,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
    mse,
    softmax,
)


def twins(numbers):
    """The same numbers as our Values and as one float64 torch leaf."""
    return [Value(x) for x in numbers], torch.tensor(numbers, dtype=torch.float64, requires_grad=True)


def assert_close(ours, theirs, rel=1e-13, abs=1e-300):
    assert ours == pytest.approx(theirs.detach().tolist(), rel=rel, abs=abs)


@pytest.mark.parametrize("logits", [[0.3, -1.2, 2.5, 0.0], [1000.0, 0.0, -1000.0], [-50.0, -50.0, 700.0]])
def test_softmax_family_matches_pytorch(logits):
    xs, t = twins(logits)
    assert_close([p.data for p in softmax(xs)], F.softmax(t, dim=0))
    assert_close([p.data for p in log_softmax(xs)], F.log_softmax(t, dim=0))
    for target in range(len(logits)):
        xs, t = twins(logits)
        loss = cross_entropy(xs, target)
        loss.backward()
        reference = F.cross_entropy(t.unsqueeze(0), torch.tensor([target]))
        reference.backward()
        assert loss.data == pytest.approx(reference.item(), rel=1e-13)
        assert_close([x.grad for x in xs], t.grad)


def test_batched_cross_entropy_matches_pytorch():
    rows = [[0.1, 0.2, 0.3], [2.0, -1.0, 0.0], [5.0, 5.0, -5.0]]
    targets = [2, 0, 1]
    batch = [[Value(x) for x in row] for row in rows]
    loss = cross_entropy(batch, targets)
    loss.backward()
    t = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    reference = F.cross_entropy(t, torch.tensor(targets))
    reference.backward()
    assert loss.data == pytest.approx(reference.item(), rel=1e-14)
    assert_close([x.grad for row in batch for x in row], t.grad.flatten())


def test_binary_cross_entropy_with_logits_and_mse_match_pytorch():
    logits, targets = [0.0, 3.5, -800.0, 800.0, -0.25], [1.0, 0.0, 1.0, 0.0, 0.3]
    xs, t = twins(logits)
    loss = binary_cross_entropy_with_logits(xs, targets)
    loss.backward()
    reference = F.binary_cross_entropy_with_logits(t, torch.tensor(targets, dtype=torch.float64))
    reference.backward()
    assert loss.data == pytest.approx(reference.item(), rel=1e-14)
    assert_close([x.grad for x in xs], t.grad)
    xs, t = twins([1.0, -2.0, 0.5])
    loss = mse(xs, [0.5, 0.5, 0.5])
    loss.backward()
    reference = F.mse_loss(t, torch.full((3,), 0.5, dtype=torch.float64))
    reference.backward()
    assert loss.data == pytest.approx(reference.item(), rel=1e-15)
    assert_close([x.grad for x in xs], t.grad, rel=1e-15)


OPTIMIZERS = [
    (SGD, torch.optim.SGD, {"lr": 0.1}),
    (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}),
    (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    (Adam, torch.optim.Adam, {}),
    (Adam, torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}),
    (Adam, torch.optim.Adam, {"lr": 0.3, "betas": (0.3, 0.5)}),
]


@pytest.mark.parametrize(("ours", "theirs", "settings"), OPTIMIZERS)
def test_optimizer_steps_match_torch_optim(ours, theirs, settings):
    rng = random.Random(0)
    start = [rng.uniform(-2, 2) for _ in range(6)]
    params = [Value(x) for x in start]
    tensor = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    ours, theirs = ours(params, **settings), theirs([tensor], **settings)
    for _ in range(8):
        grads = [rng.uniform(-3, 3) for _ in start]
        for p, g in zip(params, grads):
            p.grad = g
        tensor.grad = torch.tensor(grads, dtype=torch.float64)
        ours.step()
        theirs.step()
        # to rounding: parameters are of order 1, and PyTorch may fuse a multiply-add
        assert_close([p.data for p in params], tensor, rel=1e-15, abs=1e-16)


@pytest.mark.parametrize(("ours", "theirs", "settings"), OPTIMIZERS)
def test_a_parameter_without_a_gradient_is_skipped_as_torch_optim_skips_it(ours, theirs, settings):
    # one scalar tensor per parameter, so that each can have grad None on its own; Adam's bias
    # correction then counts each parameter's own steps, as torch's per-parameter state["step"] does
    rng = random.Random(1)
    start = [rng.uniform(-2, 2) for _ in range(3)]
    params = [Value(x) for x in start]
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in start]
    ours, theirs = ours(params, **settings), theirs(tensors, **settings)
    for step in range(6):
        for i, (p, t) in enumerate(zip(params, tensors)):
            g = None if (i + step) % 3 == 0 or (i == 2 and step < 3) else rng.uniform(-3, 3)
            p.grad = g
            t.grad = None if g is None else torch.tensor(g, dtype=torch.float64)
        ours.step()
        theirs.step()
        assert [p.data for p in params] == pytest.approx([t.item() for t in tensors], rel=1e-15, abs=1e-16)


def test_linear_lr_matches_pytorchs():
    ours = LinearLR(SGD([Value(1.0)], lr=0.5), start_factor=1.0, end_factor=0.1, total_iters=10)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    theirs = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=10)
    for _ in range(14):
        assert ours.optimizer.lr == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)
        opt.step()
        ours.step()
        theirs.step()


def test_a_training_step_of_an_mlp_matches_pytorch():
    model = MLP(3, [4, 2], seed=0)
    layers = []
    for layer in model.layers:
        linear = torch.nn.Linear(len(layer.neurons[0].w), len(layer.neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        layers += [linear, torch.nn.ReLU()]
    reference = torch.nn.Sequential(*layers[:-1])
    x, target = [0.5, -1.0, 2.0], 1
    ours, theirs = Adam(model.parameters(), lr=0.01), torch.optim.Adam(reference.parameters(), lr=0.01)
    for _ in range(3):
        loss = cross_entropy(model(x), target)
        ours.zero_grad()
        loss.backward()
        ours.step()
        expected = F.cross_entropy(reference(torch.tensor([x], dtype=torch.float64)), torch.tensor([target]))
        theirs.zero_grad()
        expected.backward()
        theirs.step()
        assert loss.data == pytest.approx(expected.item(), rel=1e-13)
    flat = torch.cat([torch.cat([lin.weight, lin.bias.unsqueeze(1)], dim=1).flatten() for lin in reference[::2]])
    assert_close([p.data for p in model.parameters()], flat, rel=1e-12)
