package org.speechalign.codec;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.function.Supplier;

/**
 * Makes libcodec2's decoding a function of its bits.
 *
 * <p>libcodec2 1.0 draws the phases of unvoiced harmonics from {@code codec2_rand()}, a linear
 * congruential generator whose state is one static variable shared by every decoder in the process.
 * So the same bits decode to slightly different speech every time, depending on what the process
 * decoded before — enough to change what a recogniser hears (about a point of WER over a test split).
 * The library has no call to seed it. This finds the variable from the operand of
 * {@code codec2_rand}'s first instruction (x86-64: {@code imul $1103515245, state(%rip), %rax}),
 * confirms the find by setting the state and comparing the function's next value with the
 * generator's formula, and then starts every decode from the library's initial state, 1, as a
 * fresh process (and codec2's own {@code c2dec}) would. On another build or CPU the instruction does
 * not match, nothing is written, and decoding stays as random as the library makes it.
 */
final class Codec2Phases {
    private static final long MULTIPLIER = 1103515245L;
    private static final long INCREMENT = 12345L;
    private static final long INITIAL_STATE = 1L;
    /** {@code imul $imm32, disp32(%rip), %rax}: REX.W, opcode, ModRM; then disp32 and the multiplier. */
    private static final byte[] IMUL_RIP_RAX = {0x48, 0x69, 0x05};
    private static final int INSTRUCTION_LENGTH = 11;
    /** The state is process-wide, so decodes that reset it must not interleave. */
    private static final Object LOCK = new Object();

    private final Pointer state; // null: not found, decoding stays random

    private Codec2Phases(Pointer state) {
        this.state = state;
    }

    static Codec2Phases locate(NativeLibrary library) {
        try {
            Function rand = library.getFunction("codec2_rand");
            byte[] code = rand.getByteArray(0, INSTRUCTION_LENGTH);
            for (int i = 0; i < IMUL_RIP_RAX.length; i++) {
                if (code[i] != IMUL_RIP_RAX[i]) return new Codec2Phases(null);
            }
            if (littleEndianInt(code, 7) != (int) MULTIPLIER) return new Codec2Phases(null);
            Pointer state = new Pointer(Pointer.nativeValue(rand) + INSTRUCTION_LENGTH + littleEndianInt(code, 3));
            synchronized (LOCK) {
                long probe = 0x2545F491L;
                state.setLong(0, probe);
                int next = rand.invokeInt(new Object[0]);
                state.setLong(0, INITIAL_STATE);
                return new Codec2Phases(next == output(probe * MULTIPLIER + INCREMENT) ? state : null);
            }
        } catch (UnsatisfiedLinkError e) { // no codec2_rand in this build
            return new Codec2Phases(null);
        }
    }

    /** True when every decode starts from the same generator state. */
    boolean seeded() {
        return state != null;
    }

    /** Runs a decode (codec2_create included) from the initial generator state, alone. */
    <T> T fromInitialState(Supplier<T> decode) {
        if (state == null) return decode.get();
        synchronized (LOCK) {
            state.setLong(0, INITIAL_STATE);
            return decode.get();
        }
    }

    /** codec2_rand's value for a state: {@code (unsigned)(next / 65536) % 32768}. */
    private static int output(long next) {
        return (int) ((next >>> 16) & 0x7fff);
    }

    private static int littleEndianInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
