package io.assay.plugins.schedulers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Adaptive 10/21-point Gauss–Kronrod quadrature, the basic rule and error estimate of QUADPACK's {@code qags}
 * (which backs SciPy's {@code integrate.quad} on finite intervals): integrate on the whole interval, return if the
 * error estimate meets the tolerance, else keep bisecting the interval with the largest estimate (without QAGS's
 * epsilon-algorithm extrapolation, which smooth integrands do not need).
 *
 * <p>The 21-point rule is evaluated in QUADPACK's order (centre, Gauss abscissae, then the other Kronrod abscissae),
 * so a first-pass result agrees with SciPy's to double rounding. Deterministic. Written here because the plugin
 * needs only this one integral (LMS coefficients, polynomials of degree at most 3, which the rule integrates exactly)
 * and no small, well-kept Java library provides it.
 */
final class Quadrature {

    /** Kronrod abscissae on [-1, 1], positive half, descending; odd indices are the 10-point Gauss abscissae. */
    private static final double[] XGK = {
        0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
        0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
        0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
        0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
        0.294392862701460198131126603103866, 0.148874338981631210884826001129720,
        0.0,
    };

    /** Kronrod weights for {@link #XGK}. */
    private static final double[] WGK = {
        0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
        0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
        0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
        0.123491976262065851077208272553308, 0.134709217311473325928054001771707,
        0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
        0.149445554002916905664936468389821,
    };

    /** Gauss weights for XGK[1], XGK[3], …, XGK[9]. */
    private static final double[] WG = {
        0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
        0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
        0.295524224714752870173892994651338,
    };

    private static final double EPMACH = Math.ulp(1.0);
    private static final double UFLOW = Double.MIN_NORMAL;

    /** SciPy's default absolute tolerance. */
    static final double DEFAULT_EPSABS = 1.49e-8;

    /** SciPy's default subdivision limit. */
    static final int DEFAULT_LIMIT = 50;

    private Quadrature() {
    }

    /**
     * The result of one integration.
     *
     * @param value the integral
     * @param errorEstimate QUADPACK's estimate of the absolute error
     * @param intervals how many intervals the final estimate sums
     */
    record Result(double value, double errorEstimate, int intervals) {
    }

    private record Piece(double a, double b, double value, double error) {
    }

    /**
     * Integrates {@code f} from {@code a} to {@code b} ({@code a > b} gives the negated integral) to within
     * {@code max(epsabs, epsrel·|result|)}, or as well as {@code limit} intervals allow.
     */
    static Result integrate(DoubleUnaryOperator f, double a, double b, double epsabs, double epsrel, int limit) {
        if (a == b) {
            return new Result(0, 0, 1);
        }
        List<Piece> pieces = new ArrayList<>();
        pieces.add(kronrod21(f, a, b));
        while (true) {
            double value = 0;
            double error = 0;
            for (Piece p : pieces) {
                value += p.value();
                error += p.error();
            }
            if (error <= Math.max(epsabs, epsrel * Math.abs(value)) || pieces.size() >= limit) {
                return new Result(value, error, pieces.size());
            }
            int worst = 0;
            for (int i = 1; i < pieces.size(); i++) {
                if (pieces.get(i).error() > pieces.get(worst).error()) {
                    worst = i;
                }
            }
            Piece p = pieces.remove(worst);
            double mid = 0.5 * (p.a() + p.b());
            pieces.add(worst, kronrod21(f, mid, p.b()));
            pieces.add(worst, kronrod21(f, p.a(), mid));
        }
    }

    /** Integrates with SciPy {@code quad}'s default absolute tolerance and subdivision limit. */
    static double integrate(DoubleUnaryOperator f, double a, double b, double epsrel) {
        return integrate(f, a, b, DEFAULT_EPSABS, epsrel, DEFAULT_LIMIT).value();
    }

    /** QUADPACK's {@code qk21}: the 21-point Kronrod result and its error estimate on [a, b]. */
    private static Piece kronrod21(DoubleUnaryOperator f, double a, double b) {
        double centre = 0.5 * (a + b);
        double half = 0.5 * (b - a);
        double absHalf = Math.abs(half);
        double[] fv1 = new double[10];
        double[] fv2 = new double[10];
        double fc = f.applyAsDouble(centre);
        double resg = 0;
        double resk = WGK[10] * fc;
        double resabs = Math.abs(resk);
        for (int j = 0; j < 5; j++) {
            int jtw = 2 * j + 1;
            double absc = half * XGK[jtw];
            double f1 = f.applyAsDouble(centre - absc);
            double f2 = f.applyAsDouble(centre + absc);
            fv1[jtw] = f1;
            fv2[jtw] = f2;
            double fsum = f1 + f2;
            resg += WG[j] * fsum;
            resk += WGK[jtw] * fsum;
            resabs += WGK[jtw] * (Math.abs(f1) + Math.abs(f2));
        }
        for (int j = 0; j < 5; j++) {
            int jtwm1 = 2 * j;
            double absc = half * XGK[jtwm1];
            double f1 = f.applyAsDouble(centre - absc);
            double f2 = f.applyAsDouble(centre + absc);
            fv1[jtwm1] = f1;
            fv2[jtwm1] = f2;
            double fsum = f1 + f2;
            resk += WGK[jtwm1] * fsum;
            resabs += WGK[jtwm1] * (Math.abs(f1) + Math.abs(f2));
        }
        double reskh = resk * 0.5;
        double resasc = WGK[10] * Math.abs(fc - reskh);
        for (int j = 0; j < 10; j++) {
            resasc += WGK[j] * (Math.abs(fv1[j] - reskh) + Math.abs(fv2[j] - reskh));
        }
        double result = resk * half;
        resabs *= absHalf;
        resasc *= absHalf;
        double error = Math.abs((resk - resg) * half);
        if (resasc != 0 && error != 0) {
            error = resasc * Math.min(1, StrictMath.pow(200 * error / resasc, 1.5));
        }
        if (resabs > UFLOW / (50 * EPMACH)) {
            error = Math.max(EPMACH * 50 * resabs, error);
        }
        return new Piece(a, b, result, error);
    }
}
