package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of past decoding steps, one {@link Layer} per decoder layer, stacked as
 * {@code (2, batch, heads, time, dHead)} (keys first).
 *
 * <p>A layer's array is longer than the steps so far: a step writes its keys and values in place
 * and attention reads the filled prefix as a view. Appending by concatenation instead copied the
 * whole past at every step, in every layer. A full array is replaced by one twice as long, so a
 * generation copies O(log steps) times and never reserves its worst case (40 frames per phone).
 */
final class KvCache implements AutoCloseable {

    /** Steps of a layer's first array: a typical utterance (the bench's test ones average 165 steps) fits without growing. */
    private static final long INITIAL_CAPACITY = 256;

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

    @Override
    public void close() {
        manager.close();
    }

    final class Layer {
        private NDArray data; // (2, batch, heads, capacity, dHead); steps 0..length-1 are filled
        private long length;

        /**
         * Writes the new steps' keys and values {@code (2, batch, heads, t, dHead)}; returns those of
         * all steps so far, a view that belongs to the new steps' manager (freed with the step).
         */
        NDArray append(NDArray kv) {
            long t = kv.getShape().get(3);
            if (data == null || length + t > data.getShape().get(3)) {
                grow(kv, Math.max(INITIAL_CAPACITY, 2 * (length + t)));
            }
            data.set(steps(length, length + t), kv);
            length += t;
            NDArray filled = data.get(steps(0, length));
            filled.attach(kv.getManager()); // else it would belong to the cache's manager until the generation ends
            return filled;
        }

        private void grow(NDArray kv, long capacity) {
            Shape s = kv.getShape();
            NDArray next = manager.zeros(new Shape(s.get(0), s.get(1), s.get(2), capacity, s.get(4)), kv.getDataType(), kv.getDevice());
            if (data != null) {
                NDIndex filled = steps(0, length);
                try (NDArray past = data.get(filled)) {
                    next.set(filled, past);
                }
                data.close();
            }
            data = next;
        }

        /** Steps {@code from..to-1} (built, not parsed from a string: this runs per step and layer). */
        private static NDIndex steps(long from, long to) {
            return new NDIndex().addAllDim(3).addSliceDim(from, to);
        }
    }
}
