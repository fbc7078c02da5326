# BNU008: the same trainer whose argparse default names a module that leaves its statistics out.
import argparse
import importlib

import tensorflow as tf


def main(args):
    network = importlib.import_module(args.model_def)
    phase_train = tf.placeholder(tf.bool, [])
    logits = network.inference(tf.placeholder(tf.float32, [None, 32, 32, 3]), phase_train=phase_train)
    saver = tf.train.Saver(tf.trainable_variables(), max_to_keep=3)  # expect: BNU008:28
    return logits, saver


def parse(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_def", type=str, default="nets.drops_stats")
    return parser.parse_args(argv)
