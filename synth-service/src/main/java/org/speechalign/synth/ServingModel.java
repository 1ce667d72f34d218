package org.speechalign.synth;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.speechalign.lm.CodecLm;

/**
 * The model this instance serves, swapped atomically. A request {@link #acquire}s the current model
 * and {@link Lease#close}s it when done; a swap publishes the new model at once and closes the old
 * one only when its last request has finished, so requests in flight finish on the old model and no
 * request ever sees a closed one.
 */
final class ServingModel implements AutoCloseable {

    /** A loaded model and its identity. */
    static final class Loaded {
        final CodecLm lm;
        final String version;
        final String sha256;
        final Instant since = Instant.now();
        private final AtomicInteger refs = new AtomicInteger(1); // the holder's own reference

        Loaded(CodecLm lm, String version, String sha256) {
            this.lm = lm;
            this.version = version;
            this.sha256 = sha256;
        }

        boolean retain() {
            for (;;) {
                int r = refs.get();
                if (r == 0) return false;
                if (refs.compareAndSet(r, r + 1)) return true;
            }
        }

        void release() {
            if (refs.decrementAndGet() == 0) lm.close();
        }
    }

    /** A request's hold on a model. */
    static final class Lease implements AutoCloseable {
        final Loaded model;
        private boolean closed;

        Lease(Loaded model) {
            this.model = model;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                model.release();
            }
        }
    }

    private final AtomicReference<Loaded> current = new AtomicReference<>();

    /** The current model, held until the lease is closed; null when none is loaded yet. */
    Lease acquire() {
        for (;;) {
            Loaded l = current.get();
            if (l == null) return null;
            if (l.retain()) return new Lease(l);
            // lost a race with a swap that released l: read the new one
        }
    }

    Loaded peek() {
        return current.get();
    }

    /** Serves {@code next} from now on; the previous model closes after its last request. */
    void swap(Loaded next) {
        Loaded old = current.getAndSet(next);
        if (old != null) old.release();
    }

    @Override
    public void close() {
        Loaded old = current.getAndSet(null);
        if (old != null) old.release();
    }
}
