package org.speechalign.eval;

/**
 * Short-time power spectra of 16-bit PCM: Hann window of 25 ms, hop 10 ms, FFT of the next power
 * of two. The analysis behind both {@link MelCepstrum} (for MCD) and {@link SpeakerModel}'s MFCCs.
 */
public final class Spectra {

    /** {@code power[frame][bin]} with bins 0..fft/2, and each frame's energy in dB. */
    public record Frames(double[][] power, double[] energyDb, int fftSize, int sampleRate) {
        public int count() {
            return power.length;
        }
    }

    private Spectra() {}

    public static Frames analyse(short[] pcm, int sampleRate) {
        int win = Math.round(0.025f * sampleRate), hop = Math.round(0.010f * sampleRate);
        int fft = Integer.highestOneBit(win - 1) << 1;
        int frames = pcm.length < win ? 0 : 1 + (pcm.length - win) / hop;
        double[] window = new double[win];
        for (int i = 0; i < win; i++) window[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (win - 1));
        double[][] power = new double[frames][];
        double[] energyDb = new double[frames];
        double[] re = new double[fft], im = new double[fft];
        for (int f = 0; f < frames; f++) {
            java.util.Arrays.fill(re, 0);
            java.util.Arrays.fill(im, 0);
            double e = 0;
            for (int i = 0; i < win; i++) {
                double s = pcm[f * hop + i];
                e += s * s;
                re[i] = s * window[i];
            }
            energyDb[f] = 10 * Math.log10(e / win + 1e-3);
            fft(re, im);
            double[] p = new double[fft / 2 + 1];
            for (int k = 0; k <= fft / 2; k++) p[k] = re[k] * re[k] + im[k] * im[k];
            power[f] = p;
        }
        return new Frames(power, energyDb, fft, sampleRate);
    }

    /** In-place iterative radix-2 FFT. */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double ang = -2 * Math.PI / len;
            double wr = Math.cos(ang), wi = Math.sin(ang);
            for (int i = 0; i < n; i += len) {
                double cr = 1, ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k, b = i + k + len / 2;
                    double xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - xr; im[b] = im[a] - xi;
                    re[a] += xr; im[a] += xi;
                    double ncr = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = ncr;
                }
            }
        }
    }

    /** Indices of the frames from the first to the last whose energy is within {@code rangeDb} of the loudest. */
    public static int[] speechSpan(double[] energyDb, double rangeDb) {
        double max = Double.NEGATIVE_INFINITY;
        for (double e : energyDb) max = Math.max(max, e);
        int first = -1, last = -1;
        for (int i = 0; i < energyDb.length; i++) {
            if (energyDb[i] >= max - rangeDb) {
                if (first < 0) first = i;
                last = i;
            }
        }
        return first < 0 ? new int[] {0, 0} : new int[] {first, last + 1};
    }
}
