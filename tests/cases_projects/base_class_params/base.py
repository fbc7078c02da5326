# Base classes that set the batch-norm parameters their subclasses (in models.py) use.
class Network(object):
    def __init__(self, is_training):
        self.is_training = is_training
        self.batch_norm_params = {"is_training": is_training, "decay": 0.995, "epsilon": 1e-3}


class FlaglessNetwork(object):
    def __init__(self):
        self.batch_norm_params = {"decay": 0.995, "epsilon": 1e-3}
