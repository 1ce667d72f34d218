package org.speechalign.codec;

/** Binary-reflected Gray code, as codec2 applies to every quantiser index it packs. */
public final class Gray {
    private Gray() {
    }

    public static int encode(int index) {
        return index ^ (index >> 1);
    }

    public static int decode(int gray) {
        int index = gray;
        for (int shift = gray >> 1; shift != 0; shift >>= 1) index ^= shift;
        return index;
    }
}
