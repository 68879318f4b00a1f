#!/usr/bin/env python3
"""Reads numbers, one per line on stdin (the per-round differences of a paired start-up
measurement, in ms), and prints their median, quartiles and a 95 % confidence interval of
the median (percentile bootstrap, 10,000 resamples, fixed seed so that a result can be
reproduced from the same input):

  +95 [+12, +180] 95% CI [+40, +150]

Prints n/a when there is no number.
"""
import random
import statistics
import sys


def quantile(values, fraction):
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main():
    values = [float(line) for line in sys.stdin if line.strip()]
    if not values:
        print("n/a")
        return
    generator = random.Random(42)
    medians = sorted(statistics.median(generator.choices(values, k=len(values))) for _ in range(10000))
    print("%+.0f [%+.0f, %+.0f] 95%% CI [%+.0f, %+.0f]" % (statistics.median(values), quantile(values, 0.25),
                                                        quantile(values, 0.75), quantile(medians, 0.025),
                                                        quantile(medians, 0.975)))


if __name__ == "__main__":
    main()
