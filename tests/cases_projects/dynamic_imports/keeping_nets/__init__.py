# A package every module of which keeps its moving statistics among the trainable variables.
