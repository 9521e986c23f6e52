package io.stampede.reports.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MannWhitneyTest {
    @Test
    void exactWithoutTies() {
        MannWhitney.Result r = MannWhitney.greater(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertThat(r.exact()).isTrue();
        assertThat(r.u()).isEqualTo(9);
        assertThat(r.pValue()).isCloseTo(1.0 / 20, within(1e-12));
        // ten against ten, completely separated: 1 / C(20, 10)
        double[] x = new double[10];
        double[] y = new double[10];
        for (int i = 0; i < 10; i++) {
            x[i] = i;
            y[i] = 100 + i;
        }
        assertThat(MannWhitney.greater(x, y).pValue()).isCloseTo(1.0 / 184_756, within(1e-15));
        assertThat(MannWhitney.greater(y, x).pValue()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void exactWithTiesMatchesBruteForce() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            double[] x = new double[6];
            double[] y = new double[7];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextInt(5);
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = rnd.nextInt(5) + (trial % 2);
            }
            assertThat(MannWhitney.greater(x, y).pValue()).isCloseTo(bruteForce(x, y), within(1e-12));
        }
    }

    @Test
    void identicalSamplesAreNoEvidence() {
        double[] x = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
        assertThat(MannWhitney.greater(x, x.clone()).pValue()).isEqualTo(1.0);
    }

    @Test
    void largeSamplesUseTheNormalApproximation() {
        Random rnd = new Random(3);
        double[] x = new double[200];
        double[] y = new double[200];
        for (int i = 0; i < 200; i++) {
            x[i] = rnd.nextGaussian();
            y[i] = rnd.nextGaussian() + 0.5;
        }
        MannWhitney.Result r = MannWhitney.greater(x, y);
        assertThat(r.exact()).isFalse();
        assertThat(r.pValue()).isLessThan(1e-4);
        assertThat(MannWhitney.greater(y, x).pValue()).isGreaterThan(0.99);
    }

    /** P(U >= u) by enumerating every split of the pooled values. */
    static double bruteForce(double[] x, double[] y) {
        double[] all = new double[x.length + y.length];
        System.arraycopy(x, 0, all, 0, x.length);
        System.arraycopy(y, 0, all, x.length, y.length);
        double u0 = u(x, y);
        int n = all.length;
        int k = y.length;
        long hit = 0;
        long total = 0;
        for (int mask = 0; mask < 1 << n; mask++) {
            if (Integer.bitCount(mask) != k) {
                continue;
            }
            double[] a = new double[n - k];
            double[] b = new double[k];
            int ia = 0;
            int ib = 0;
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << i)) != 0) {
                    b[ib++] = all[i];
                } else {
                    a[ia++] = all[i];
                }
            }
            total++;
            if (u(a, b) >= u0 - 1e-9) {
                hit++;
            }
        }
        return hit / (double) total;
    }

    static double u(double[] x, double[] y) {
        double u = 0;
        for (double b : y) {
            for (double a : x) {
                u += b > a ? 1 : b == a ? 0.5 : 0;
            }
        }
        return u;
    }
}
