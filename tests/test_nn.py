"""autograd.nn: micrograd's Module, Neuron, Layer and MLP, with their names and shapes."""

import random

import pytest

from autograd import Value
from autograd.nn import MLP, Layer, Module, Neuron


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
