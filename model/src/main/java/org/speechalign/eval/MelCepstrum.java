package org.speechalign.eval;

/**
 * Mel-cepstra for mel-cepstral distortion: per 10 ms frame, the log amplitude spectrum is sampled
 * on a frequency axis warped by the first-order all-pass function (α = 0.31 at 8 kHz, 0.42 at
 * 16 kHz, SPTK's usual values), and c_m = (1/N) Σ_k ln|X(ω(ω̃_k))| cos(m ω̃_k), so that
 * ln|X| ≈ c_0 + 2 Σ c_m cos(m ω̃) — the definition SPTK's mel-cepstra use. Truncating at order 24
 * keeps the spectral envelope and drops the pitch harmonics. Unlike SPTK's {@code mcep} this is
 * not an iterative (UELS) envelope fit, so absolute MCD values run higher than in papers that use
 * {@code mcep}; comparisons within this harness are consistent.
 */
public final class MelCepstrum {
    public static final int ORDER = 24;
    private static final int GRID = 128;

    private MelCepstrum() {}

    public static double alpha(int sampleRate) {
        return sampleRate <= 8000 ? 0.31 : sampleRate <= 16000 ? 0.42 : 0.46;
    }

    /** {@code c[frame][0..ORDER]} for the frames of {@code spectra}. */
    public static double[][] of(Spectra.Frames spectra) {
        int bins = spectra.fftSize() / 2;
        double a = alpha(spectra.sampleRate());
        double[] srcBin = new double[GRID];
        double[][] cosTable = new double[ORDER + 1][GRID];
        for (int k = 0; k < GRID; k++) {
            double warped = Math.PI * (k + 0.5) / GRID;
            double omega = warped - 2 * Math.atan(a * Math.sin(warped) / (1 + a * Math.cos(warped))); // inverse warp
            srcBin[k] = omega / Math.PI * bins;
            for (int m = 0; m <= ORDER; m++) cosTable[m][k] = Math.cos(m * warped);
        }
        double[][] out = new double[spectra.count()][];
        for (int f = 0; f < spectra.count(); f++) {
            double[] p = spectra.power()[f];
            double[] logAmp = new double[GRID];
            for (int k = 0; k < GRID; k++) {
                int lo = (int) Math.floor(srcBin[k]);
                double t = srcBin[k] - lo;
                double pw = p[lo] * (1 - t) + p[Math.min(lo + 1, bins)] * t;
                logAmp[k] = 0.5 * Math.log(Math.max(pw, 1.0));
            }
            double[] c = new double[ORDER + 1];
            for (int m = 0; m <= ORDER; m++) {
                double s = 0;
                for (int k = 0; k < GRID; k++) s += logAmp[k] * cosTable[m][k];
                c[m] = s / GRID;
            }
            out[f] = c;
        }
        return out;
    }
}
