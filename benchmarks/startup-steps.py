#!/usr/bin/env python3
"""Reads the Actuator's startup endpoint (JSON, on stdin) of the sample app started with
-Dsample.startup-steps=true and prints, in ms, separated by spaces:

  exporter_beans environment_prepared context_refresh application_started application_ready

exporter_beans is the time spent creating Worker Exporter's beans (io.github.workerexporter
types, or bean names of its auto-configurations): each such "spring.beans.instantiate" step
counts with the steps nested in it, except nested beans of other code (created anyway, with
or without the exporter) whose own nested exporter beans count again. The other four are
Spring Boot's start-up phases, which include the exporter's environment post-processor
(environment_prepared), its auto-configuration conditions (context_refresh) and its
lifecycle hooks (application_started, application_ready); they are compared with the
exporter off.
"""
import json
import re
import sys


def millis(duration):
    match = re.fullmatch(r"PT(?:(\d+)M)?([\d.]+)S", duration)
    return (int(match.group(1) or 0) * 60 + float(match.group(2))) * 1000 if match else 0.0


def is_exporter(step):
    if step["name"] != "spring.beans.instantiate":
        return False
    tags = {tag["key"]: tag["value"] for tag in step.get("tags", [])}
    return "io.github.workerexporter" in tags.get("beanType", "") + " " + tags.get("beanName", "")


def main():
    events = json.load(sys.stdin)["timeline"]["events"]
    steps = {event["startupStep"]["id"]: event for event in events}
    children = {}
    for event in events:
        children.setdefault(event["startupStep"].get("parentId"), []).append(event)

    def exporter_time(event):
        nested = children.get(event["startupStep"]["id"], [])
        if is_exporter(event["startupStep"]):
            others = [child for child in nested if not is_exporter(child["startupStep"])]
            return millis(event["duration"]) - sum(millis(c["duration"]) - exporter_time(c) for c in others)
        return sum(exporter_time(child) for child in nested)

    roots = [event for event in events if event["startupStep"].get("parentId") not in steps]
    phases = {}
    for event in roots:
        phases[event["startupStep"]["name"]] = millis(event["duration"])
    values = [sum(exporter_time(root) for root in roots)]
    for phase in ("spring.boot.application.environment-prepared", "spring.context.refresh",
                  "spring.boot.application.started", "spring.boot.application.ready"):
        values.append(phases.get(phase, 0.0))
    print(" ".join("%.1f" % value for value in values))


if __name__ == "__main__":
    main()
