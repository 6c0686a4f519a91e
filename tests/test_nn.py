"""autograd.nn: micrograd's Module, Neuron, Layer and MLP, with their names and shapes."""

import json
import math
import random
import re

import pytest
from test_optim import assert_all_or_nothing

from autograd import Value
from autograd.nn import MLP, SGD, Adam, Layer, Module, Neuron, hinge


def test_mlp_2_16_16_1_has_micrograds_337_parameters():
    assert len(MLP(2, [16, 16, 1]).parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337


def test_attribute_names_are_micrograds():
    model = MLP(3, [4, 2])
    neuron = model.layers[0].neurons[3]
    assert len(neuron.w) == 3 and isinstance(neuron.b, Value)
    assert len(model.layers) == 2 and len(model.layers[1].neurons) == 2


def test_hidden_layers_are_relu_and_the_output_is_linear():
    model = MLP(2, [3, 3, 1])
    assert [n.nonlin for layer in model.layers for n in layer.neurons] == [True] * 6 + [False]
    assert repr(model.layers[0].neurons[0]) == "ReLUNeuron(2)" and repr(model.layers[2].neurons[0]) == "LinearNeuron(3)"


def test_one_output_is_a_value_several_are_a_list():
    assert isinstance(MLP(2, [4, 1])([1.0, 2.0]), Value)
    out = MLP(2, [4, 3])([Value(1.0), 2.0])
    assert isinstance(out, list) and len(out) == 3


def test_a_one_neuron_hidden_layer_works():
    random.seed(0)
    model = MLP(2, [16, 1, 1])  # micrograd 0.1.0 crashes here: its one-neuron layer returns a bare Value
    out = model([0.5, -1.0])
    out.backward()
    assert isinstance(out, Value) and len(model.parameters()) == 3 * 16 + 17 + 2


def test_a_neuron_computes_w_dot_x_plus_b():
    n = Neuron(2, nonlin=False)
    n.w[0].data, n.w[1].data, n.b.data = 2.0, -1.0, 0.5
    assert n([3.0, 4.0]).data == 2.0 * 3.0 - 4.0 + 0.5
    n.nonlin = True
    assert n([-3.0, 4.0]).data == 0.0


def test_wrong_input_length_is_a_clear_error():
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        Neuron(2)([1.0, 2.0, 3.0])


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [3, 1])
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_a_module_with_no_parameters():
    assert Module().parameters() == []
    Module().zero_grad()


def test_parameter_gradients_match_finite_differences():
    random.seed(1)
    layer = Layer(3, 2)
    x = [0.3, -0.7, 1.1]

    def loss():
        first, second = layer(x)
        return first + 2 * second

    loss().backward()
    for p in layer.parameters():
        p.data += 1e-6
        up = loss().data
        p.data -= 2e-6
        down = loss().data
        p.data += 1e-6
        assert p.grad == pytest.approx((up - down) / 2e-6, abs=1e-6)


def test_training_steps_reduce_the_loss():
    random.seed(2)
    model = MLP(2, [8, 8, 1])
    xs = [[random.uniform(-1, 1), random.uniform(-1, 1)] for _ in range(20)]
    ys = [1.0 if a * b > 0 else -1.0 for a, b in xs]

    def loss():
        return sum((model(x) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)

    first = loss()
    for _ in range(30):
        current = loss()
        model.zero_grad()
        current.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
    assert loss().data < 0.7 * first.data


def test_named_parameters_follow_micrograds_attribute_names():
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.1.neurons.0.b" and len(names) == len(set(names)) == model.num_parameters() == 13
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_the_same_seed_gives_identical_weights_and_training_curves():
    def curve(seed):
        model = MLP(2, [4, 4, 1], seed=seed)
        losses = []
        for _ in range(5):
            loss = sum((model([x, -x]) - x) ** 2 for x in (0.1, 0.5, -0.7))
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.05 * p.grad
            losses.append(loss.data)
        return model.state_dict(), losses

    assert curve(7) == curve(7)
    assert curve(7) != curve(8)
    assert MLP(2, [3], seed=random.Random(5)).state_dict() == MLP(2, [3], seed=5).state_dict()


def test_no_seed_draws_from_the_random_module_like_micrograd():
    random.seed(3)
    first = MLP(2, [3, 1]).state_dict()
    random.seed(3)
    assert MLP(2, [3, 1]).state_dict() == first
    random.seed(3)
    assert first["layers.0.neurons.0.w.0"] == random.uniform(-1, 1)


def test_state_dict_round_trips_through_json():
    model, other = MLP(3, [5, 2], seed=1), MLP(3, [5, 2], seed=2)
    text = json.dumps(model.state_dict())
    other.load_state_dict(json.loads(text))
    assert other.state_dict() == model.state_dict()
    x = [0.3, -1.2, 2.0]
    assert [v.data for v in other(x)] == [v.data for v in model(x)]


def test_load_state_dict_names_missing_and_unexpected_keys_and_changes_nothing():
    model = MLP(2, [2], seed=0)
    before = model.state_dict()
    state = dict(before)
    del state["layers.0.neurons.0.b"]
    state["layers.9.w"] = 1.0
    with pytest.raises(KeyError, match=r"missing keys \['layers.0.neurons.0.b'\], unexpected keys \['layers.9.w'\]"):
        model.load_state_dict(state)
    with pytest.raises(TypeError, match=re.escape("'layers.0.neurons.0.b' must be a number, got '1'")):
        model.load_state_dict({**before, "layers.0.neurons.0.b": "1"})
    assert model.state_dict() == before


def test_activation_is_a_choice():
    x = [0.4, -0.3]
    for name, fn in [
        ("relu", lambda v: max(v, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda v: 1 / (1 + math.exp(-v))),
    ]:
        n = Neuron(2, activation=name, seed=0)
        raw = sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data
        assert n(x).data == pytest.approx(fn(raw), rel=1e-15)
    model = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=0)
    assert [n.activation for layer in model.layers for n in layer.neurons] == ["tanh"] * 3 + ["sigmoid"] * 2
    assert all(0 < v.data < 1 for v in model(x))
    with pytest.raises(ValueError, match="unknown activation 'gelu'; choose one of linear, relu, sigmoid, tanh"):
        MLP(2, [1], activation="gelu")


def test_initialisations_have_their_spread():
    rng = random.Random(0)
    for init, nin, std in [
        ("uniform", 50, 1 / math.sqrt(3)),
        ("he", 50, math.sqrt(2 / 50)),
        ("xavier", 50, math.sqrt(1 / 50)),
    ]:
        weights = [w.data for _ in range(40) for w in Neuron(nin, init=init, seed=rng).w]
        spread = math.sqrt(sum(w * w for w in weights) / len(weights))
        assert spread == pytest.approx(std, rel=0.05), init
    with pytest.raises(ValueError, match="unknown init 'zeros'"):
        Neuron(2, init="zeros")
    with pytest.raises(TypeError, match="seed must be an int"):
        MLP(2, [1], seed="1")


def test_repr_shows_the_shape_and_the_parameter_count():
    text = repr(MLP(2, [16, 16, 1]))
    assert text.splitlines() == [
        "MLP(2 -> 16 -> 16 -> 1, 337 parameters)",
        "  (layers.0): Layer(2 -> 16, relu)",
        "  (layers.1): Layer(16 -> 16, relu)",
        "  (layers.2): Layer(16 -> 1, linear)",
    ]


def test_a_custom_module_finds_parameters_in_its_attributes():
    class Affine(Module):
        def __init__(self):
            self.W = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
            self.b = Value(0.5)
            self.scale = Value(2.0, requires_grad=False)  # a constant is not a parameter
            self.inner = Neuron(1, seed=0)

    names = [name for name, _ in Affine().named_parameters()]
    assert names == ["W.0.0", "W.0.1", "W.1.0", "W.1.1", "b", "inner.w.0", "inner.b"]


def test_mlp_learns_xor_to_100_percent():
    data = [([0.0, 0.0], -1.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], -1.0)]
    model = MLP(2, [8, 1], activation="tanh", seed=0)
    optimizer = Adam(model.parameters(), lr=0.05)
    for _ in range(150):
        loss = hinge([model(x) for x, _ in data], [y for _, y in data])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert [1.0 if model(x).data > 0 else -1.0 for x, _ in data] == [y for _, y in data]
    assert loss.data == 0.0


def test_load_state_dict_with_a_nan_last_changes_no_parameter():
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    last = list(before)[-1]
    with pytest.raises(ValueError, match=re.escape(f"load_state_dict: {last!r} must be a finite number, got nan")):
        model.load_state_dict({**{name: 0.5 for name in before}, last: math.nan})
    assert model.state_dict() == before


def test_load_state_dict_says_what_to_pass_instead():
    model = MLP(2, [1], seed=0)
    values = {name: Value(x) for name, x in model.state_dict().items()}
    with pytest.raises(
        TypeError, match=r"'layers\.0\.neurons\.0\.w\.0' must be a number, got Value\(.*\); use its \.data"
    ):
        model.load_state_dict(values)
    with pytest.raises(
        TypeError, match=r"expects a dict \{name: number\} such as state_dict\(\) returns, got \[1\.0\]"
    ):
        model.load_state_dict([1.0])


def test_load_state_dict_takes_numpy_floats_as_floats():
    numpy = pytest.importorskip("numpy")
    model = MLP(2, [1], seed=0)
    model.load_state_dict({name: numpy.float32(0.25) for name in model.state_dict()})
    assert {type(p.data) for p in model.parameters()} == {float}
    assert set(model.state_dict().values()) == {0.25}


class Tied(Module):
    """Two layers that share one weight, as a tied embedding does."""

    def __init__(self):
        self.first = Neuron(1, seed=0)
        self.second = Neuron(1, seed=1)
        self.second.w = self.first.w


def test_a_shared_parameter_is_listed_once_as_in_pytorch():
    model = Tied()
    assert [name for name, _ in model.named_parameters()] == ["first.w.0", "first.b", "second.b"]
    assert model.num_parameters() == 3
    assert list(model.state_dict()) == ["first.w.0", "first.b", "second.w.0", "second.b"]  # as torch's


def test_an_optimizer_steps_a_shared_parameter_once():
    model = Tied()
    w = model.first.w[0]
    start = w.data
    (model.first(1.0) + model.second(1.0)).backward()
    SGD(model.parameters(), lr=0.1).step()
    assert w.data == start - 0.1 * w.grad


def test_the_names_of_a_shared_parameter_must_agree_in_load_state_dict():
    model = Tied()
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"'first\.w\.0' and 'second\.w\.0' are one shared parameter but get"):
        model.load_state_dict({**before, "first.b": 9.0, "second.w.0": before["first.w.0"] + 1})
    assert model.state_dict() == before


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: MLP(2, 16),
            TypeError,
            "nouts must be a list of layer sizes such as [16, 16, 1], got 16 (int); "
            "write MLP(2, [16]) for one layer of 16 neurons",
        ),
        (lambda: MLP(2, "16"), TypeError, "MLP: nouts must be a list of layer sizes such as [16, 16, 1], got '16'"),
        (lambda: MLP(2, []), ValueError, "MLP needs at least one layer size in nouts"),
        (lambda: MLP(2, [0]), ValueError, "MLP: nouts[0] must be at least 1 (a number of neurons), got 0"),
        (lambda: MLP(2, [4, -1]), ValueError, "MLP: nouts[1] must be at least 1 (a number of neurons), got -1"),
        (
            lambda: MLP(2, [4.0]),
            TypeError,
            "MLP: nouts[0] must be an int (a number of neurons), got 4.0 (float); write 4",
        ),
        (lambda: MLP(2, [True]), TypeError, "MLP: nouts[0] must be an int (a number of neurons), got True (bool)"),
        (lambda: MLP(2.5, [1]), TypeError, "MLP: nin must be an int (a number of inputs), got 2.5 (float)"),
        (lambda: MLP(0, [1]), ValueError, "MLP: nin must be at least 1 (a number of inputs), got 0"),
        (lambda: Layer(2, 0), ValueError, "Layer: nout must be at least 1 (a number of neurons), got 0"),
        (lambda: Layer(2, True), TypeError, "Layer: nout must be an int (a number of neurons), got True (bool)"),
        (lambda: Layer("2", 3), TypeError, "Layer: nin must be an int (a number of inputs), got '2' (str)"),
        (lambda: Neuron(True), TypeError, "Neuron: nin must be an int (a number of inputs), got True (bool)"),
        (lambda: Neuron(-3), ValueError, "Neuron: nin must be at least 1 (a number of inputs), got -3"),
        (
            lambda: Neuron(2, "tanh"),
            TypeError,
            "Neuron: nonlin must be True or False, got 'tanh'; to pick an activation write activation='tanh'",
        ),
        (lambda: Layer(2, 3, "tanh"), TypeError, "Layer: nonlin must be True or False, got 'tanh'"),
        (
            lambda: Neuron(2, False, activation="tanh"),
            ValueError,
            "Neuron: nonlin=False asks for a linear neuron, activation='tanh' for another; give only one of them",
        ),
        (lambda: Layer(2, 3, init="zeros"), ValueError, "unknown init 'zeros'; choose one of he, uniform, xavier"),
    ],
)
def test_wrong_sizes_and_settings_say_what_to_write(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


def test_sizes_may_be_numpy_ints_and_nouts_any_iterable():
    numpy = pytest.importorskip("numpy")
    model = MLP(numpy.int64(2), (n for n in [numpy.int64(3), 1]), seed=0)
    assert repr(model).splitlines()[0] == "MLP(2 -> 3 -> 1, 13 parameters)"


def test_an_emptied_layer_or_model_still_has_a_repr():
    layer = Layer(2, 3, seed=0)
    layer.neurons = []
    assert repr(layer) == "Layer(no neurons)"
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons = []
    assert repr(model).splitlines() == [
        "MLP(? -> 0 -> 1, 4 parameters)",
        "  (layers.0): Layer(no neurons)",
        "  (layers.1): Layer(3 -> 1, linear)",
    ]
    model.layers = []
    assert repr(model) == "MLP(?, 0 parameters)"


def test_a_model_called_on_a_batch_or_on_nothing_says_so():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match=re.escape("a model takes one example at a time: [model(x) for x in xs]")):
        model([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with pytest.raises(
        TypeError, match=re.escape("ReLUNeuron(2) expects a list of 2 inputs (Values or numbers), got None")
    ):
        model(None)


def test_nonlin_and_activation_are_checked_when_set_and_change_what_the_neuron_computes():
    n = Neuron(1, seed=0)
    n.w[0].data = 1.0
    with pytest.raises(TypeError, match=re.escape("Neuron: nonlin must be True or False, got 'linear'")):
        n.nonlin = "linear"
    with pytest.raises(ValueError, match=re.escape("unknown activation 'gelu'")):
        n.activation = "gelu"
    assert (n.activation, n(-2.0).data) == ("relu", 0.0)
    n.activation = "tanh"
    assert (repr(n), n(-2.0).data) == ("TanhNeuron(1)", math.tanh(-2.0))


def test_an_interrupt_anywhere_in_load_state_dict_leaves_the_old_values_or_the_new():
    new = MLP(2, [2, 1], seed=1).state_dict()
    assert_all_or_nothing(
        lambda: MLP(2, [2, 1], seed=0), lambda model: model.load_state_dict(new), lambda model: model.state_dict()
    )
