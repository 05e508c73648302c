"""The reachability engine: the only place z3 lives (encode.py), over the model."""
from .analyzer import Analyzer, EngineInconsistency, Explanation, Hop, Query, Result
from .concrete import ConcreteEvaluator, Packet
from .exposure import Exposure

__all__ = ["Analyzer", "ConcreteEvaluator", "EngineInconsistency", "Explanation", "Exposure", "Hop", "Packet",
           "Query", "Result"]
