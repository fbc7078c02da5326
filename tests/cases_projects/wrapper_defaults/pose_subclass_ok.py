# Silent look-alikes: the base class's attribute passed through the scope, and a base class
# whose ``trainable`` is no batch-norm flag (its default True is the author's choice).
import mobilenet_v2
import pose_backbone
import pose_base
import pose_plain_base
import tensorflow.contrib.slim as slim


class PoseNetwork(pose_base.BaseNetwork):
    def base(self, images):
        with slim.arg_scope(mobilenet_v2.training_scope(is_training=self.trainable)):
            return pose_backbone.backbone(images)


class PlainPoseNetwork(pose_plain_base.PlainNetwork):
    def base(self, images):
        with slim.arg_scope(mobilenet_v2.training_scope()):
            return pose_backbone.backbone(images)
