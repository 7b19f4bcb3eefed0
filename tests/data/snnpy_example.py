# ruff: noqa: I001 (the import order is the seed's)
# The reservoir package's example ("Example Usage" in shared/seeds/reservoir_snn_package.txt)
# with two adaptations: the import line names sc_neurocore's compatibility module, and the
# input comes from a seeded Generator instead of numpy's global state (house rule).
# tests/test_snnpy_compat.py checks that nothing else differs from the seed.
from sc_neurocore.network.snnpy import SNN, SimulationParams
import numpy as np

# Input spike train (input neurons x duration)
my_input = np.random.default_rng(14).integers(0, 2, size=(50, 500), dtype=np.uint8)

# Parameter configuration
params = SimulationParams(
    num_neurons=2000,
    num_output_neurons=35,
    input_spike_times=my_input,
    leak_coefficient=1 / 10000,
    refractory_period=2,
    membrane_threshold=2.0,
    is_random_uniform=False,
    small_world_graph_p=0.2,
    small_world_graph_k=int(0.10 * 2000 * 2),
    mean_weight=0.00745167232 * 1.05
)

# Create and simulate the network
snn = SNN(params)
output = snn.simulate()

# Extract temporal features from output neurons
features = snn.extract_features_from_spikes()
print("Output shape:", output.shape)
print("Available feature keys:", list(features.keys()))
print("Spike counts shape:", features["spike_counts"].shape)
