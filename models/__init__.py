"""Trained model files shipped with livecheck (NIMA, DIQA, BRISQUE); see the model cards here."""
