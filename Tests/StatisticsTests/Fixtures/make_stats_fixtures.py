#!/usr/bin/env python3
"""Generates stats_cases.json: `ablate stats` requests with the values scipy 1.17 / statsmodels give for them.

Run from anywhere: python3 make_stats_fixtures.py  (needs scipy 1.17.x, numpy, statsmodels).
Each case is {"name", "request", "expected"}; "expected" holds the outputs to compare (NaN/inf as strings)
or {"error": "<substring>"} for requests that must be refused. "tolerance" (optional) overrides the default
relative tolerance 1e-6; exact-distribution p-values (method_used exact/permutation) are compared at 1e-12.
"""
import json
import math
import os
import warnings

import numpy as np
import scipy
from scipy import special, stats
import statsmodels
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower, TTestPower

warnings.simplefilter("ignore")
assert scipy.__version__.startswith("1.17"), scipy.__version__

rng = np.random.default_rng(20240601)
cases = []


def enc(v):
    """JSON-encode numbers with NaN/inf as strings."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [enc(u) for u in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, str):
        return v
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def add(name, test, params, x, y=None, expected=None, tolerance=None):
    req = {"id": name, "test": test, "params": params}
    if x is not None:  # the power calculations take no data
        req["x"] = enc(x)
    if y is not None:
        req["y"] = enc(y)
    case = {"name": name, "request": req, "expected": {k: enc(v) for k, v in expected.items()}}
    if tolerance is not None:
        case["tolerance"] = tolerance
    cases.append(case)


def err(name, test, params, x, y, substring):
    req = {"id": name, "test": test, "params": params}
    if x is not None:
        req["x"] = enc(x)
    if y is not None:
        req["y"] = enc(y)
    cases.append({"name": name, "request": req, "expected": {"error": substring}})


def r2(a):
    return np.round(a, 2)


ALTS = ["two-sided", "less", "greater"]
normal_a = r2(rng.normal(0.6, 0.1, 12))
normal_b = r2(rng.normal(0.52, 0.12, 10))
small_p_a = rng.normal(0, 1, 40)
small_p_b = rng.normal(2.0, 1, 40)
NAN = float("nan")

# ---------------------------------------------------------------- t-tests
ttest_sets = {
    "normal": (normal_a, normal_b),
    "n3": ([1.0, 2.5, 2.0], [3.1, 4.0, 3.6]),
    "identical": ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
    "constant_equal": ([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]),
    "constant_different": ([1.0, 1.0, 1.0], [2.0, 2.0, 2.0]),
    "nan": ([1.0, NAN, 3.0, 4.0], [2.0, 3.0, 5.0]),
    "tiny_p": (small_p_a, small_p_b),
    "unequal_sizes": (normal_a[:5], normal_b),
}
for label, (a, b) in ttest_sets.items():
    for equal_var in [True, False]:
        for alt in ALTS:
            r = stats.ttest_ind(a, b, equal_var=equal_var, alternative=alt)
            ci = r.confidence_interval(0.95)
            add(f"ttest_ind/{label}/{'student' if equal_var else 'welch'}/{alt}", "ttest_ind",
                {"equal_var": equal_var, "alternative": alt}, a, b,
                dict(statistic=r.statistic, pvalue=r.pvalue, df=r.df, ci_low=ci.low, ci_high=ci.high))
paired_sets = {
    "normal": (normal_a[:10], normal_b),
    "n3": ([1.0, 2.5, 2.0], [1.4, 2.0, 2.9]),
    "zero_differences": ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
    "constant_difference": ([1.0, 2.0, 3.0], [0.0, 1.0, 2.0]),
    "nan": ([1.0, NAN, 3.0], [2.0, 3.0, 5.0]),
    "tiny_p": (small_p_b, small_p_a),
}
for label, (a, b) in paired_sets.items():
    for alt in ALTS:
        r = stats.ttest_rel(a, b, alternative=alt)
        ci = r.confidence_interval(0.9)
        add(f"ttest_rel/{label}/{alt}", "ttest_rel", {"alternative": alt, "confidence_level": 0.9}, a, b,
            dict(statistic=r.statistic, pvalue=r.pvalue, df=r.df, ci_low=ci.low, ci_high=ci.high))

# ---------------------------------------------------------------- Wilcoxon
wil_sets = {
    "zeros_ties_n10": (r2([0.5, 0.3, 0.0, -0.2, 0.3, 0.7, 0.0, 0.2, -0.3, 0.9]), None),
    "no_ties_n8": ([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06], [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14]),
    "n3": ([0.4, -0.1, 0.7], None),
    "ties_n20": (r2(rng.normal(0.2, 0.5, 20)).round(1), None),
    "zeros_n16": (np.r_[np.zeros(3), r2(rng.normal(0.3, 0.5, 13))], None),
    "n60": (rng.normal(0.1, 1, 60), None),
    "all_zero_n3": ([0.0, 0.0, 0.0], None),
    "nan": ([0.5, NAN, 0.2, -0.1], None),
    "tiny_p_n40": (np.arange(1, 41) * 0.37 + 0.01, None),
}
for label, (a, b) in wil_sets.items():
    for zm in ["wilcox", "pratt", "zsplit"]:
        for method in ["auto", "exact", "asymptotic"]:
            for corr in [False, True]:
                if corr and method != "asymptotic" and label not in ("ties_n20", "n60"):
                    continue  # correction only matters for the normal approximation
                for alt in ALTS:
                    if b is None:
                        r = stats.wilcoxon(a, zero_method=zm, correction=corr, alternative=alt, method=method)
                    else:
                        r = stats.wilcoxon(a, b, zero_method=zm, correction=corr, alternative=alt, method=method)
                    d = np.asarray(a, float) - (0 if b is None else np.asarray(b, float))
                    n_zero = int(np.sum(d == 0))
                    if method == "auto":
                        if len(d) > 50:
                            used = "asymptotic"
                        else:
                            nz = d[d != 0] if zm == "wilcox" else d
                            ties = len(np.unique(np.abs(nz))) < len(nz)
                            used = "exact" if not (ties or n_zero > 0) else ("permutation" if len(d) <= 13 else "asymptotic")
                    else:
                        used = method
                    exp = dict(statistic=r.statistic, pvalue=r.pvalue)
                    if not np.isnan(d).any():
                        exp["method_used"] = used
                    if method == "asymptotic":
                        exp["zstatistic"] = r.zstatistic
                    add(f"wilcoxon/{label}/{zm}/{method}/corr={corr}/{alt}", "wilcoxon",
                        {"zero_method": zm, "correction": corr, "method": method, "alternative": alt}, a, b, exp)

# ---------------------------------------------------------------- Mann-Whitney
mwu_sets = {
    "no_ties_small": ([1.1, 3.4, 2.2, 5.0, 4.1], [0.5, 2.9, 1.7, 0.2, 3.3, 0.9, 1.4]),
    "ties_small": ([1, 2, 2, 3, 5], [2, 3, 3, 1, 0, 4]),
    "large": (r2(rng.normal(0.6, 0.1, 20)), r2(rng.normal(0.55, 0.1, 25))),
    "identical": ([1.0, 1.0, 1.0], [1.0, 1.0, 1.0]),
    "n1": ([1.0], [2.0, 3.0]),
    "nan": ([1.0, NAN], [2.0, 3.0]),
    "tiny_p": (small_p_a, small_p_b),
    "n8_vs_30": (np.arange(8) * 1.3 + 0.05, np.arange(30) * 0.7),
}
for label, (a, b) in mwu_sets.items():
    for method in ["auto", "exact", "asymptotic"]:
        for cont in [True, False]:
            if not cont and method == "exact":
                continue
            for alt in ALTS:
                r = stats.mannwhitneyu(a, b, use_continuity=cont, alternative=alt, method=method)
                exp = dict(statistic=r.statistic, pvalue=r.pvalue)
                if method == "auto" and not np.isnan(np.r_[a, b]).any():
                    ties = len(np.unique(np.r_[a, b])) < len(a) + len(b)
                    exp["method_used"] = "asymptotic" if (len(a) > 8 and len(b) > 8) or ties else "exact"
                elif method != "auto":
                    exp["method_used"] = method
                add(f"mannwhitneyu/{label}/{method}/cont={cont}/{alt}", "mannwhitneyu",
                    {"use_continuity": cont, "method": method, "alternative": alt}, a, b, exp)

# ---------------------------------------------------------------- correlations
cx = r2(rng.normal(0, 1, 15))
cy = r2(cx * 0.6 + rng.normal(0, 1, 15))
corr_sets = {
    "normal": (cx, cy),
    "ties": ([1, 2, 2, 3, 4, 4, 4, 5], [2, 1, 3, 3, 5, 4, 6, 6]),
    "n3": ([1.0, 2.0, 3.5], [2.0, 1.5, 4.0]),
    "constant": ([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]),
    "nan": ([1.0, NAN, 3.0, 4.0], [1.0, 2.0, 3.0, 5.0]),
    "tiny_p": (np.arange(30.0), np.arange(30.0) + rng.normal(0, 3, 30)),
    "n40_no_ties": (rng.normal(0, 1, 40), rng.normal(0, 1, 40)),
    "perfect_n40": (np.arange(40.0), np.arange(40.0) ** 1.5),
}
for label, (a, b) in corr_sets.items():
    for alt in ALTS:
        for test, fn in [("pearsonr", stats.pearsonr), ("spearmanr", stats.spearmanr)]:
            if label == "perfect_n40":
                continue  # r rounds to 1 ± ulp: scipy's p depends on the last bit
            r = fn(a, b, alternative=alt)
            add(f"{test}/{label}/{alt}", test, {"alternative": alt}, a, b,
                dict(statistic=r.statistic, pvalue=r.pvalue))
        for method in ["auto", "exact", "asymptotic"]:
            has_ties = len(np.unique(a)) < len(a) or len(np.unique(b)) < len(b)
            if method == "exact" and has_ties and not np.isnan(np.r_[a, b]).any():
                if label != "constant":
                    err(f"kendalltau/{label}/exact/{alt}", "kendalltau", {"alternative": alt, "method": "exact"},
                        a, b, "exact")
                continue
            r = stats.kendalltau(a, b, alternative=alt, method=method)
            add(f"kendalltau/{label}/{method}/{alt}", "kendalltau", {"alternative": alt, "method": method}, a, b,
                dict(statistic=r.statistic, pvalue=r.pvalue))
groups = np.array([0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1], float)
pb_values = r2(groups * 0.4 + rng.normal(0, 0.5, 12))
for alt in ALTS:
    r = stats.pointbiserialr(groups, pb_values)
    rr = stats.pearsonr(groups, pb_values, alternative=alt)
    add(f"pointbiserialr/{alt}", "pointbiserialr", {"alternative": alt}, groups, pb_values,
        dict(statistic=r.statistic, pvalue=rr.pvalue))

# ---------------------------------------------------------------- AUROC, effect sizes
for label, (a, b) in {"ties": ([1, 2, 2, 3, 5], [2, 3, 3, 1, 0, 4]), "normal": (normal_a, normal_b),
                      "identical": ([1.0, 2.0], [1.0, 2.0])}.items():
    u = stats.mannwhitneyu(a, b).statistic
    auc = u / (len(a) * len(b))
    add(f"auroc/{label}", "auroc", {}, a, b, dict(statistic=auc, cliffs_delta=2 * auc - 1))
    a_, b_ = np.asarray(a, float), np.asarray(b, float)
    n1, n2 = len(a_), len(b_)
    sp = math.sqrt(((n1 - 1) * a_.var(ddof=1) + (n2 - 1) * b_.var(ddof=1)) / (n1 + n2 - 2))
    d = (a_.mean() - b_.mean()) / sp
    nu = n1 + n2 - 2
    j = special.gamma(nu / 2) / (math.sqrt(nu / 2) * special.gamma((nu - 1) / 2))
    ci = stats.ttest_ind(a_, b_).confidence_interval(0.95)
    add(f"effect_sizes_independent/{label}", "effect_sizes_independent", {}, a, b,
        dict(cohens_d=d, hedges_g=d * j, cliffs_delta=2 * auc - 1, auroc=auc,
             hodges_lehmann=np.median(np.subtract.outer(a_, b_)), mean_difference=a_.mean() - b_.mean(),
             ci_low=ci.low, ci_high=ci.high))
for label, (a, b) in {"normal": (normal_a[:10], normal_b), "n3": ([1.0, 2.5, 2.0], [1.4, 2.0, 2.9])}.items():
    a_, b_ = np.asarray(a, float), np.asarray(b, float)
    dd = a_ - b_
    walsh = [(dd[i] + dd[k]) / 2 for i in range(len(dd)) for k in range(i, len(dd))]
    ci = stats.ttest_rel(a_, b_).confidence_interval(0.95)
    add(f"effect_sizes_paired/{label}", "effect_sizes_paired", {}, a, b,
        dict(dz=dd.mean() / dd.std(ddof=1), mean_difference=dd.mean(), sd_difference=dd.std(ddof=1),
             hodges_lehmann=np.median(walsh), ci_low=ci.low, ci_high=ci.high))

# ---------------------------------------------------------------- multiple comparisons
p_sets = {
    "mixed": [0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.9],
    "ties_and_one": [0.02, 0.02, 1.0, 0.001, 0.02],
    "tiny": [1e-12, 3e-10, 0.5, 0.049],
    "single": [0.03],
}
for label, ps in p_sets.items():
    for method, sm in [("holm", "holm"), ("benjamini_hochberg", "fdr_bh")]:
        reject, adj, _, _ = multipletests(ps, alpha=0.05, method=sm)
        add(f"{method}/{label}", method, {"alpha": 0.05}, ps, None,
            dict(adjusted=list(adj), reject=[bool(v) for v in reject]))

# ---------------------------------------------------------------- descriptive, IQM
desc_sets = {"normal": normal_a, "n1": [3.0], "n3": [1.0, 5.0, 2.0], "constant": [2.0] * 5,
             "nan": [1.0, NAN, 3.0], "ties": [1, 2, 2, 2, 3, 9, 9]}
for label, a in desc_sets.items():
    a_ = np.asarray(a, float)
    ci = stats.ttest_1samp(a_, 0).confidence_interval(0.95) if len(a_) > 1 else None
    add(f"descriptive/{label}", "descriptive", {}, a, None,
        dict(n=len(a_), mean=a_.mean(), sd=a_.std(ddof=1) if len(a_) > 1 else NAN,
             sem=stats.sem(a_) if len(a_) > 1 else NAN, median=np.median(a_),
             q25=np.percentile(a_, 25), q75=np.percentile(a_, 75), iqm=stats.trim_mean(a_, 0.25),
             min=a_.min(), max=a_.max(), ci_low=ci.low if ci else NAN, ci_high=ci.high if ci else NAN))
    add(f"iqm/{label}", "iqm", {}, a, None, dict(statistic=stats.trim_mean(a_, 0.25)))
runs_tasks = r2(rng.normal(0.5, 0.2, (5, 3)))
cases.append({"name": "iqm/matrix", "request": {"id": "iqm/matrix", "test": "iqm", "params": {},
              "x": enc(runs_tasks.tolist())},
              "expected": {"statistic": enc(stats.trim_mean(runs_tasks.ravel(), 0.25))}})
# Probability of improvement (rliable: mean over tasks of U/(n·m)).
ry = r2(rng.normal(0.45, 0.2, (4, 3)))
poi = np.mean([stats.mannwhitneyu(runs_tasks[:, t], ry[:, t]).statistic / (5 * 4) for t in range(3)])
cases.append({"name": "probability_of_improvement/basic",
              "request": {"id": "poi", "test": "probability_of_improvement", "params": {},
                          "x": enc(runs_tasks.tolist()), "y": enc(ry.tolist())},
              "expected": {"statistic": float(poi)}})

# ---------------------------------------------------------------- power (statsmodels)
for d in [0.2, 0.5, 0.8, 1.2]:
    for alt, sm_alt in [("two-sided", "two-sided"), ("greater", "larger")]:
        n_ind = TTestIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8, alternative=sm_alt)
        n_pair = TTestPower().solve_power(effect_size=d, alpha=0.05, power=0.8, alternative=sm_alt)
        add(f"power_ttest_ind/d={d}/{alt}", "power_ttest_ind", {"effect_size": d, "alternative": alt}, None, None,
            dict(nobs=n_ind, seeds_per_arm=max(2, math.ceil(n_ind)),
                 power_at_seeds=TTestIndPower().power(d, max(2, math.ceil(n_ind)), 0.05, alternative=sm_alt)),
            tolerance=1e-5)
        add(f"power_ttest_paired/d={d}/{alt}", "power_ttest_paired", {"effect_size": d, "alternative": alt}, None,
            None, dict(nobs=n_pair, seeds_per_arm=max(2, math.ceil(n_pair)),
                       power_at_seeds=TTestPower().power(d, max(2, math.ceil(n_pair)), 0.05, alternative=sm_alt)),
            tolerance=1e-5)
    for n in [3, 5, 10]:
        add(f"power_ttest_ind/d={d}/nobs={n}", "power_ttest_ind", {"effect_size": d, "nobs": n}, None, None,
            dict(power=TTestIndPower().power(d, n, 0.05)), tolerance=1e-6)
        add(f"power_ttest_paired/d={d}/nobs={n}", "power_ttest_paired", {"effect_size": d, "nobs": n}, None, None,
            dict(power=TTestPower().power(d, n, 0.05)), tolerance=1e-6)

# ---------------------------------------------------------------- bootstrap closeness (not bit-for-bit)
big = rng.gamma(2.0, 1.0, 200)
for method in ["BCa", "percentile"]:
    for statname, fn in [("mean", np.mean), ("median", np.median)]:
        r = stats.bootstrap((big,), fn, method=method, n_resamples=9999, rng=1)
        width = r.confidence_interval.high - r.confidence_interval.low
        add(f"bootstrap_ci/close/{statname}/{method}", "bootstrap_ci",
            {"statistic": statname, "method": method, "seed": 42, "n_resamples": 9999}, big, None,
            dict(ci_low=r.confidence_interval.low, ci_high=r.confidence_interval.high,
                 statistic=fn(big)),
            tolerance={"absolute": 0.1 * width})

# ---------------------------------------------------------------- refused requests
err("error/ttest_rel/length_mismatch", "ttest_rel", {}, [1.0, 2.0, 3.0], [1.0, 2.0], "equal lengths")
err("error/ttest_ind/empty", "ttest_ind", {}, [], [1.0, 2.0], "empty")
err("error/ttest_ind/too_small", "ttest_ind", {}, [1.0], [2.0], "at least 3")
err("error/ttest_ind/welch_too_small", "ttest_ind", {"equal_var": False}, [1.0], [2.0, 3.0], "at least 2")
err("error/ttest_rel/too_small", "ttest_rel", {}, [1.0], [2.0], "at least 2")
err("error/spearmanr/too_small", "spearmanr", {}, [1.0, 2.0], [2.0, 1.0], "at least 3")
err("error/wilcoxon/bad_zero_method", "wilcoxon", {"zero_method": "drop"}, [1.0, 2.0], None, "'wilcox', 'pratt' or 'zsplit'")
err("error/mannwhitneyu/bad_alternative", "mannwhitneyu", {"alternative": "bigger"}, [1.0], [2.0], "two-sided")
err("error/unknown_parameter", "ttest_ind", {"equalvar": True}, [1.0, 2.0], [2.0, 3.0], "equal_var")
err("error/unknown_test", "ttest", {}, [1.0], None, "ttest_ind")
err("error/bootstrap/no_seed", "bootstrap_ci", {}, [1.0, 2.0, 3.0], None, "seed")
err("error/bootstrap/nan", "bootstrap_ci", {"seed": 1}, [1.0, NAN, 3.0], None, "NaN")
err("error/holm/bad_p", "holm", {}, [0.5, 1.5], None, "[0, 1]")
err("error/wrong_type", "ttest_ind", {"equal_var": "yes"}, [1.0, 2.0], [2.0, 3.0], "true or false")
err("error/descriptive/empty", "descriptive", {}, [], None, "empty")

# ---------------------------------------------------------------- issue 9: scipy/statsmodels names, edge cases
# (appended last so the random draws of the cases above stay as they were)
hrng = np.random.default_rng(9)
for n in [3, 5]:
    a = list(range(1, n + 1))
    for sign, label in [(1, "up"), (-1, "down")]:
        b = [sign * v * 0.7 + 0.1 for v in a]
        r = stats.spearmanr(a, b)
        add(f"spearmanr/perfect/{label}/n={n}", "spearmanr", {}, a, b, dict(statistic=r.statistic, pvalue=r.pvalue))
        r = stats.pearsonr(a, a)
        add(f"pearsonr/perfect/n={n}", "pearsonr", {}, a, a, dict(statistic=r.statistic, pvalue=r.pvalue))
for label, (a, b) in {"ties": (r2(hrng.integers(0, 6, 40) * 1.0), r2(hrng.integers(0, 4, 40) * 1.0)),
                      "continuous": (hrng.normal(0, 1, 25), hrng.normal(0, 1, 25)),
                      "large_ties": (hrng.integers(0, 50, 3000) * 1.0, hrng.integers(0, 30, 3000) * 1.0)}.items():
    for variant in ["b", "c"]:
        r = stats.kendalltau(a, b, variant=variant)
        add(f"kendalltau/{label}/variant={variant}", "kendalltau", {"variant": variant}, a, b,
            dict(statistic=r.statistic, pvalue=r.pvalue))
# stratified bootstrap: a numpy percentile bootstrap (runs resampled within each task, as rliable), compared
# for closeness only (numpy's generator is not GSL's).
strat = r2(hrng.uniform(0, 1, (6, 4)))
for agg, fn in [("mean", np.mean), ("iqm", lambda m: stats.trim_mean(m.ravel(), 0.25))]:
    boots = []
    for _ in range(4000):
        idx = hrng.integers(0, 6, (6, 4))
        boots.append(fn(np.take_along_axis(strat, idx, axis=0)))
    lo, hi = np.percentile(boots, [2.5, 97.5])
    add(f"stratified_bootstrap_ci/close/{agg}", "stratified_bootstrap_ci",
        {"aggregate": agg, "seed": 5, "n_resamples": 4000}, strat.tolist(), None,
        dict(statistic=fn(strat), ci_low=lo, ci_high=hi), tolerance={"absolute": 0.1 * (hi - lo)})
err("error/kendalltau/bad_variant", "kendalltau", {"variant": "a"}, [1.0, 2.0, 3.0], [1.0, 3.0, 2.0], "'b' or 'c'")
tm = r2(hrng.normal(0, 1, 23))
for cut in [0.0, 0.1, 0.25, 0.4]:
    add(f"iqm/proportiontocut={cut}", "iqm", {"proportiontocut": cut}, tm, None,
        dict(statistic=stats.trim_mean(tm, cut)))
err("error/iqm/proportiontocut", "iqm", {"proportiontocut": 0.5}, tm, None, "[0, 0.5)")
for ddof in [0, 1, 2]:
    add(f"descriptive/ddof={ddof}", "descriptive", {"ddof": ddof}, tm, None,
        dict(sd=np.std(tm, ddof=ddof), sem=stats.sem(tm, ddof=ddof), mean=np.mean(tm)))
for ratio in [0.5, 2.0]:
    for d in [0.5, 1.0]:
        n1 = TTestIndPower().solve_power(effect_size=d, alpha=0.05, power=0.8, ratio=ratio)
        add(f"power_ttest_ind/ratio={ratio}/d={d}", "power_ttest_ind", {"effect_size": d, "ratio": ratio}, None, None,
            dict(nobs1=n1, seeds_per_arm=max(2, math.ceil(n1)),
                 power_at_seeds=TTestIndPower().power(d, max(2, math.ceil(n1)), 0.05, ratio=ratio)), tolerance=1e-6)
        add(f"power_ttest_ind/ratio={ratio}/d={d}/nobs1=7", "power_ttest_ind",
            {"effect_size": d, "ratio": ratio, "nobs1": 7}, None, None,
            dict(power=TTestIndPower().power(d, 7, 0.05, ratio=ratio)), tolerance=1e-6)
scores = r2(hrng.normal(0, 1, 30))
labels = (hrng.random(30) < 0.4).astype(float)
for pos in [1.0, 0.0]:
    u = stats.mannwhitneyu(scores[labels == pos], scores[labels != pos]).statistic
    auc = u / ((labels == pos).sum() * (labels != pos).sum())
    add(f"auroc/positive_label={pos}", "auroc", {"positive_label": pos}, scores, labels,
        dict(statistic=auc, cliffs_delta=2 * auc - 1))
err("error/auroc/positive_label_absent", "auroc", {"positive_label": 2}, scores, labels, "'0' or '1'")
hl_a, hl_b = r2(hrng.normal(0.3, 1, 301)), r2(hrng.normal(0, 1, 250))
add("effect_sizes_independent/hl_ties", "effect_sizes_independent", {}, hl_a, hl_b,
    dict(hodges_lehmann=np.median(np.subtract.outer(hl_a, hl_b)),
         auroc=stats.mannwhitneyu(hl_a, hl_b).statistic / (301 * 250)))
dd = hl_a[:250] - hl_b
walsh = (dd[:, None] + dd[None, :]) / 2
add("effect_sizes_paired/hl_ties", "effect_sizes_paired", {}, hl_a[:250], hl_b,
    dict(hodges_lehmann=np.median(walsh[np.triu_indices(250)])))
err("error/pointbiserialr/non_binary", "pointbiserialr", {}, [0.0, 1.0, 2.0, 1.0], [1.0, 2.0, 3.0, 4.0], "0 or 1")
err("error/descriptive/y_given", "descriptive", {}, [1.0, 2.0], [3.0, 4.0], "takes no \"y\"")
err("error/poi/bad_resamples_no_seed", "probability_of_improvement", {"n_resamples": 0}, [[1.0]], [[2.0]], "n_resamples")
err("error/poi/bad_level_no_seed", "probability_of_improvement", {"confidence_level": 1.5}, [[1.0]], [[2.0]],
    "confidence_level")
err("error/bootstrap/one_resample", "bootstrap_ci", {"seed": 1, "n_resamples": 1}, [1.0, 2.0, 3.0], None, "from 2")

# Fisher's exact test of a 2x2 table (rows x and y) and Levene's test centred on medians (Brown-Forsythe).
for table in [[[8, 2], [1, 5]], [[0, 8], [3, 5]], [[1, 7], [6, 2]], [[12, 4], [5, 11]], [[0, 8], [0, 8]]]:
    for alt in ["two-sided", "less", "greater"]:
        res = stats.fisher_exact(table, alternative=alt)
        add(f"fisher_exact/{table}/{alt}", "fisher_exact", {"alternative": alt}, table[0], table[1],
            dict(statistic=res.statistic, pvalue=res.pvalue))
err("error/fisher_exact/not_counts", "fisher_exact", {}, [1.5, 2.0], [3.0, 4.0], "non-negative integer counts")
lev_a, lev_b = r2(hrng.normal(0.6, 0.02, 12)), r2(hrng.normal(0.5, 0.1, 9))
res = stats.levene(lev_a, lev_b, center="median")
add("levene/median", "levene", {}, lev_a, lev_b, dict(statistic=res.statistic, pvalue=res.pvalue))
err("error/levene/center_mean", "levene", {"center": "mean"}, lev_a, lev_b, "'median'")

out = {"generator": "make_stats_fixtures.py", "scipy": scipy.__version__, "numpy": np.__version__,
       "statsmodels": statsmodels.__version__, "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stats_cases.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, allow_nan=False)
print(f"wrote {len(cases)} cases to {path}")
