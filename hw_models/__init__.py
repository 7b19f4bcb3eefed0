"""hw_models: bit-accurate, cycle-by-cycle gate-level references of the SC datapath."""
