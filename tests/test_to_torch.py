"""Module.to_torch: the torch.nn.Sequential copy computes what the scalar model computes, gradients too."""

import random
import sys

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): to_torch skipped")

from autograd.nn import MLP, Layer, Neuron  # noqa: E402

SHAPES = [
    (2, [16, 16, 1], {}),
    (3, [4, 1, 1], {}),
    (3, [5, 2], {"activation": "tanh", "output_activation": "tanh"}),
    (4, [6, 3], {"output_activation": "sigmoid"}),
    (2, [3, 4, 5], {"activation": "sigmoid", "init": "xavier"}),
    (5, [7, 2], {"activation": "linear", "init": "he"}),
    (1, [1], {"output_activation": "relu"}),
]


def build(nin, nouts, settings, seed=0):
    """A seeded MLP whose biases are nonzero too, so that a misplaced bias shows."""
    model = MLP(nin, nouts, seed=seed, **settings)
    rng = random.Random(seed + 1)
    for layer in model.layers:
        for n in layer.neurons:
            n.b.data = rng.uniform(-1, 1)
    return model


def inputs(nin, count=5, seed=2):
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(count)]


def values(model, x):
    """The model's outputs as a list, also when it returns one Value."""
    out = model(x)
    return out if isinstance(out, list) else [out]


def outputs(model, x):
    return [v.data for v in values(model, x)]


def linears(seq):
    return [m for m in seq if isinstance(m, torch.nn.Linear)]


@pytest.mark.parametrize(("nin", "nouts", "settings"), SHAPES)
def test_outputs_match_the_scalar_model_in_float64(nin, nouts, settings):
    model = build(nin, nouts, settings)
    seq = model.to_torch()
    for x in inputs(nin):
        theirs = seq(torch.tensor(x, dtype=torch.float64))
        assert theirs.dtype == torch.float64
        assert outputs(model, x) == pytest.approx(theirs.tolist(), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("nin", "nouts", "settings"), SHAPES)
def test_gradients_of_a_loss_match_every_parameter(nin, nouts, settings):
    model = build(nin, nouts, settings)
    seq = model.to_torch()
    xs = inputs(nin, count=4, seed=3)
    loss = sum(v * v for x in xs for v in values(model, x))
    loss.backward()
    expected = seq(torch.tensor(xs, dtype=torch.float64)).pow(2).sum()
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12)
    for k, (layer, linear) in enumerate(zip(model.layers, linears(seq), strict=True)):
        for i, n in enumerate(layer.neurons):
            for j, w in enumerate(n.w):
                assert w.grad == pytest.approx(linear.weight.grad[i, j].item(), rel=1e-12, abs=1e-12), (k, i, j)
            assert n.b.grad == pytest.approx(linear.bias.grad[i].item(), rel=1e-12, abs=1e-12), (k, i)


def test_the_sequential_has_one_linear_per_layer_and_its_activation():
    model = MLP(3, [5, 4, 2], activation="tanh", output_activation="sigmoid", seed=0)
    seq = model.to_torch()
    assert isinstance(seq, torch.nn.Sequential)
    assert [type(m) for m in seq] == [torch.nn.Linear, torch.nn.Tanh] * 2 + [torch.nn.Linear, torch.nn.Sigmoid]
    assert [(m.in_features, m.out_features) for m in linears(seq)] == [(3, 5), (5, 4), (4, 2)]
    assert all(p.dtype == torch.float64 and p.requires_grad for p in seq.parameters())
    assert sum(p.numel() for p in seq.parameters()) == model.num_parameters()
    # micrograd's defaults: ReLU hidden layers, and nothing after the linear output layer
    assert [type(m) for m in MLP(2, [16, 16, 1], seed=0).to_torch()] == [
        torch.nn.Linear,
        torch.nn.ReLU,
        torch.nn.Linear,
        torch.nn.ReLU,
        torch.nn.Linear,
    ]


def test_weight_rows_are_neurons_and_biases_stay_with_their_neuron():
    layer = Layer(3, 2, activation="linear")
    for n, row, b in zip(layer.neurons, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [10.0, 20.0]):
        for w, value in zip(n.w, row):
            w.data = value
        n.b.data = b
    (linear,) = layer.to_torch()
    assert linear.weight.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert linear.bias.tolist() == [10.0, 20.0]
    assert linear(torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)).tolist() == [11.0, 24.0]
    assert linear(torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)).tolist() == [13.0, 26.0]


def test_a_layer_and_a_neuron_convert_on_their_own():
    layer = Layer(4, 3, activation="tanh", seed=5)
    layer.neurons[2].b.data = 0.75
    seq = layer.to_torch()
    assert [type(m) for m in seq] == [torch.nn.Linear, torch.nn.Tanh]
    x = [0.1, -0.4, 0.9, 1.3]
    assert [v.data for v in layer(x)] == pytest.approx(seq(torch.tensor(x, dtype=torch.float64)).tolist(), rel=1e-12)
    neuron = Neuron(2, nonlin=False, seed=6)
    neuron.b.data = -0.5
    seq = neuron.to_torch()
    assert [type(m) for m in seq] == [torch.nn.Linear]
    assert seq(torch.tensor([0.3, 0.8], dtype=torch.float64)).tolist() == pytest.approx([neuron([0.3, 0.8]).data])


def test_one_output_is_a_value_here_and_a_last_dimension_of_one_in_torch():
    model = MLP(2, [3, 1], seed=0)
    seq = model.to_torch()
    assert seq(torch.zeros(2, dtype=torch.float64)).shape == (1,)
    assert seq(torch.zeros(7, 2, dtype=torch.float64)).shape == (7, 1)


def test_the_copy_is_a_snapshot_in_both_directions():
    model = build(3, [4, 2], {})
    before = model.state_dict()
    seq = model.to_torch()
    optimizer = torch.optim.SGD(seq.parameters(), lr=0.5)
    seq(torch.ones(3, dtype=torch.float64)).sum().backward()
    optimizer.step()
    with torch.no_grad():
        linears(seq)[0].weight.add_(1.0)
    assert model.state_dict() == before
    snapshot = [p.detach().clone() for p in seq.parameters()]
    for p in model.parameters():
        p.data += 1.0
    assert all(torch.equal(p, q) for p, q in zip(seq.parameters(), snapshot))


def test_float32_holds_each_weight_rounded_to_float32():
    model = build(3, [8, 2], {"output_activation": "tanh"})
    seq = model.to_torch(dtype=torch.float32)
    assert all(p.dtype == torch.float32 for p in seq.parameters())
    first = model.layers[0].neurons[0].w[0].data
    assert linears(seq)[0].weight[0, 0].item() == torch.tensor(first, dtype=torch.float32).item()
    for x in inputs(3):
        theirs = seq(torch.tensor(x, dtype=torch.float32))
        assert theirs.dtype == torch.float32
        assert outputs(model, x) == pytest.approx(theirs.tolist(), rel=1e-5, abs=1e-5)


def test_a_dtype_that_is_not_floating_point_is_a_type_error():
    model = MLP(2, [2], seed=0)
    for dtype in (torch.int64, "float32"):
        with pytest.raises(TypeError, match=r"floating-point torch\.dtype"):
            model.to_torch(dtype=dtype)


def test_mixed_activations_in_one_layer_raise_naming_the_layer():
    model = MLP(3, [4, 5, 1], seed=0)
    model.layers[1].neurons[3].activation = "tanh"
    with pytest.raises(ValueError, match=r"layers\.1 \(Layer\(4 -> 5, relu\)\) mixes activations") as error:
        model.to_torch()
    assert "relu in neurons [0, 1, 2, 4]" in str(error.value)
    assert "tanh in neurons [3]" in str(error.value)
    layer = Layer(2, 3, seed=0)
    layer.neurons[0].nonlin = False
    with pytest.raises(ValueError, match=r"Layer\(2 -> 3, linear\) mixes activations"):
        layer.to_torch()


def test_converting_leaves_torchs_random_numbers_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    MLP(4, [32, 32, 1], seed=0).to_torch()
    assert torch.equal(torch.rand(3), expected)


def test_without_torch_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # None in sys.modules: `import torch` raises ImportError
    for module in (MLP(2, [3, 1], seed=0), Layer(2, 3, seed=0), Neuron(2, seed=0)):
        with pytest.raises(
            ImportError,
            match=r"pip install torch \(or, from a clone of scalar-autograd, pip install -e \"\.\[torch\]\"\)",
        ):
            module.to_torch()
