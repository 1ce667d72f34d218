package org.speechalign.codec;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.speechalign.MissingDependencyException;

/** The few functions of libcodec2 (Debian package libcodec2-1.0) the codec needs, bound with JNA. */
interface Codec2Library extends Library {
    int MODE_3200 = 0;

    Pointer codec2_create(int mode);

    void codec2_destroy(Pointer state);

    int codec2_samples_per_frame(Pointer state);

    int codec2_bits_per_frame(Pointer state);

    void codec2_encode(Pointer state, byte[] bits, short[] speech);

    void codec2_decode(Pointer state, short[] speech, byte[] bits);

    /** The bound functions and the library they come from (for {@link Codec2Phases}). */
    record Loaded(Codec2Library functions, NativeLibrary library) {
    }

    /**
     * Loads the library by name; without the -dev package only the versioned file exists, so
     * that is tried second.
     */
    static Loaded load(String... names) {
        UnsatisfiedLinkError last = null;
        for (String name : names) {
            try {
                return new Loaded(Native.load(name, Codec2Library.class), NativeLibrary.getInstance(name));
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        throw new MissingDependencyException("libcodec2", "libcodec2-1.0", last);
    }
}
