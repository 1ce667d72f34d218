package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of past decoding steps, one {@link Layer} per decoder layer, shaped
 * {@code (batch, heads, time, dHead)}. The cache owns its arrays (attached to its manager) and
 * frees the previous ones at each append, so a long generation does not accumulate copies.
 */
final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final Layer[] layers;

    KvCache(NDManager parent, int layerCount) {
        manager = parent.newSubManager();
        layers = new Layer[layerCount];
        for (int i = 0; i < layerCount; i++) {
            layers[i] = new Layer();
        }
    }

    Layer layer(int i) {
        return layers[i];
    }

    long length() {
        return layers[0].keys == null ? 0 : layers[0].keys.getShape().get(2);
    }

    @Override
    public void close() {
        manager.close();
    }

    final class Layer {
        private NDArray keys;
        private NDArray values;

        NDArray appendKeys(NDArray k) {
            keys = append(keys, k);
            return keys;
        }

        NDArray appendValues(NDArray v) {
            values = append(values, v);
            return values;
        }

        private NDArray append(NDArray old, NDArray step) {
            NDArray next = old == null ? step.duplicate() : old.concat(step, 2);
            next.attach(manager);
            if (old != null) {
                old.close();
            }
            return next;
        }
    }
}
