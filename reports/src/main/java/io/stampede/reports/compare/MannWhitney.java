package io.stampede.reports.compare;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * One-sided Mann–Whitney U test: is {@code y} stochastically greater than {@code x}? Ranks with
 * ties averaged (commons-math3 {@link NaturalRanking}). Small samples ({@code n1 + n2 <=}
 * {@value #EXACT_MAX_N}) get the <b>exact</b> p-value: the permutation distribution of y's rank
 * sum given the observed ties, counted by dynamic programming over the (doubled, hence integral)
 * mid-ranks, so 10 intervals against 10 decide (smallest possible p = 1/C(20,10) ≈ 5.4e-6).
 * Larger samples use the normal approximation with the tie correction and a continuity correction.
 */
public final class MannWhitney {
    /** Largest n1 + n2 for the exact p-value. */
    public static final int EXACT_MAX_N = 100;

    /**
     * @param u      U of y: pairs (x, y) with y > x, ties counted half
     * @param pValue one-sided P(U >= u) under "same distribution"
     * @param exact  true when exact, false for the normal approximation
     */
    public record Result(double u, double pValue, boolean exact) {}

    private MannWhitney() {}

    /** P-value that {@code y} is greater than {@code x}. Both must be non-empty. */
    public static Result greater(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        if (n1 == 0 || n2 == 0) {
            throw new IllegalArgumentException("both samples must be non-empty");
        }
        int n = n1 + n2;
        double[] all = new double[n];
        System.arraycopy(x, 0, all, 0, n1);
        System.arraycopy(y, 0, all, n1, n2);
        double[] ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(all);
        double w = 0;
        for (int i = n1; i < n; i++) {
            w += ranks[i];
        }
        double u = w - n2 * (n2 + 1) / 2.0;
        if (n <= EXACT_MAX_N) {
            return new Result(u, exact(ranks, n2, w), true);
        }
        return new Result(u, normal(ranks, n1, n2, u), false);
    }

    /** P(rank sum of a random n2-subset >= w), counting subsets by their doubled rank sums. */
    static double exact(double[] ranks, int n2, double w) {
        int n = ranks.length;
        int[] r2 = new int[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            r2[i] = (int) Math.round(ranks[i] * 2);
            total += r2[i];
        }
        // ways[k][s]: number of k-subsets of the items seen so far with doubled rank sum s
        double[][] ways = new double[n2 + 1][total + 1];
        ways[0][0] = 1;
        int reach = 0;
        for (int i = 0; i < n; i++) {
            reach += r2[i];
            for (int k = Math.min(i + 1, n2); k >= 1; k--) {
                double[] to = ways[k];
                double[] from = ways[k - 1];
                for (int s = reach; s >= r2[i]; s--) {
                    to[s] += from[s - r2[i]];
                }
            }
        }
        long w2 = Math.round(w * 2);
        double hit = 0;
        double all = 0;
        for (int s = 0; s <= total; s++) {
            all += ways[n2][s];
            if (s >= w2) {
                hit += ways[n2][s];
            }
        }
        return Math.min(1.0, hit / all);
    }

    private static double normal(double[] ranks, int n1, int n2, double u) {
        int n = n1 + n2;
        double mean = n1 * (double) n2 / 2.0;
        double[] sorted = ranks.clone();
        java.util.Arrays.sort(sorted);
        double ties = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && sorted[j + 1] == sorted[i]) {
                j++;
            }
            double t = j - i + 1;
            ties += t * t * t - t;
            i = j + 1;
        }
        double var = n1 * (double) n2 / 12.0 * ((n + 1) - ties / ((double) n * (n - 1)));
        if (var <= 0) {
            return 1.0; // every value tied: no evidence either way
        }
        double z = (u - mean - 0.5) / Math.sqrt(var);
        return 1.0 - new NormalDistribution(0, 1).cumulativeProbability(z);
    }
}
