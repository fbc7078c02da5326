# normalizer_params=self.batch_norm_params, set in a base class in base.py: the flag is there
# for Inception, missing for Squeeze.
import tensorflow.contrib.slim as slim

from base import FlaglessNetwork, Network


class Inception(Network):
    def inference(self, images):
        return slim.conv2d(images, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params=self.batch_norm_params)


class Squeeze(FlaglessNetwork):
    def inference(self, images):
        return slim.conv2d(images, 32, 3, normalizer_fn=slim.batch_norm, normalizer_params=self.batch_norm_params)  # expect: BNU003:16
