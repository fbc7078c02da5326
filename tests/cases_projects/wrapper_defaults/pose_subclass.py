# The flag at hand is the attribute the base class (another module) passes to batch norm;
# this module names no layer, but leaves the scope's default True in place.
import mobilenet_v2
import pose_backbone
import pose_base
import tensorflow.contrib.slim as slim


class PoseNetwork(pose_base.BaseNetwork):
    def base(self, images):
        with slim.arg_scope(mobilenet_v2.training_scope()):  # expect: BNU002:29
            return pose_backbone.backbone(images)
