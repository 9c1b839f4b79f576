#!/usr/bin/env python3
"""deploy/compose, deploy/k8s and deploy/grafana say what they promise.

Parses every YAML file, checks the structure the docs describe (a KRaft Kafka and
its topics, probes on /healthz and /readyz, static membership from the pod name,
scrape annotations and a ServiceMonitor, the Grafana provisioning paths), checks
the Prometheus configurations with promtool, and asks the real binary: the
FIELDPULSE_* variables named are configuration keys, the ConfigMap's TOML loads,
and the probe paths are served (a live `fieldpulse run` against `fieldpulse broker`).

Usage: check_manifests.py SOURCE_DIR FIELDPULSE_BINARY
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

import yaml

SOURCE, BINARY = sys.argv.pop(1), sys.argv.pop(1)
DEPLOY = os.path.join(SOURCE, "deploy")
DATA = os.path.join(SOURCE, "data")


def load(*path):
    with open(os.path.join(DEPLOY, *path), encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_all(*path):
    with open(os.path.join(DEPLOY, *path), encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def print_config(env, *args):
    """`fieldpulse run --print-config` with only `env` as FIELDPULSE_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FIELDPULSE_")}
    clean.update(env)
    return subprocess.run([BINARY, "run", "--print-config", *args], env=clean,
                          capture_output=True, text=True, timeout=60)


def promtool_check_config(config_text, rules_dir):
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(rules_dir, "alerts.yml"), tmp)
        path = os.path.join(tmp, "prometheus.yml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(config_text)
        return subprocess.run(["promtool", "check", "config", path],
                              capture_output=True, text=True, timeout=60)


class Compose(unittest.TestCase):
    def setUp(self):
        self.compose = load("compose", "compose.yaml")
        self.services = self.compose["services"]

    def test_has_the_services(self):
        self.assertLessEqual({"kafka", "kafka-topics", "fieldpulse", "prometheus", "grafana"},
                             set(self.services))

    def test_kafka_runs_in_kraft_mode(self):
        env = self.services["kafka"]["environment"]
        self.assertIn("controller", env["KAFKA_PROCESS_ROLES"])
        self.assertIn("KAFKA_CONTROLLER_QUORUM_VOTERS", env)
        self.assertNotIn("zookeeper", yaml.safe_dump(self.compose).lower())
        self.assertEqual(env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"], "false")

    def test_topics_are_created_by_the_shipped_script_before_fieldpulse_starts(self):
        topics = self.services["kafka-topics"]
        self.assertIn("/deploy/kafka/create-topics.sh", topics["entrypoint"])
        self.assertIn("../kafka:/deploy/kafka:ro", topics["volumes"])
        self.assertTrue(os.path.isfile(os.path.join(DEPLOY, "kafka", "create-topics.sh")))
        self.assertEqual(self.services["fieldpulse"]["depends_on"]["kafka-topics"]["condition"],
                         "service_completed_successfully")

    def test_mounted_files_exist(self):
        for name, service in self.services.items():
            for volume in service.get("volumes", []):
                source = volume.split(":")[0]
                if source.startswith("."):
                    self.assertTrue(os.path.exists(os.path.join(DEPLOY, "compose", source)),
                                    f"{name}: {source}")

    def test_fieldpulse_environment_is_configuration_keys(self):
        env = self.services["fieldpulse"]["environment"]
        result = print_config(env)
        self.assertEqual(result.returncode, 0, result.stderr)
        for key in env:
            self.assertIn(f"# env {key}", result.stdout)

    def test_fieldpulse_image_is_built_from_the_dockerfile(self):
        build = self.services["fieldpulse"]["build"]
        dockerfile = os.path.join(DEPLOY, "compose", build["context"], build["dockerfile"])
        with open(dockerfile, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("cmake --install /build --prefix /usr/local", text)
        self.assertIn('ENTRYPOINT ["/usr/local/bin/fieldpulse"]', text)
        command = self.services["fieldpulse"]["command"]
        self.assertEqual(command[:2], ["run", "--config"])
        self.assertEqual(command[2], "/usr/local/etc/fieldpulse/fieldpulse.toml")

    def test_prometheus_scrapes_fieldpulse_and_loads_the_alerts(self):
        config = load("compose", "prometheus.yml")
        self.assertEqual(config["rule_files"], ["alerts.yml"])
        job = config["scrape_configs"][0]
        self.assertEqual(job["job_name"], "fieldpulse")
        self.assertEqual(job["static_configs"][0]["targets"], ["fieldpulse:8080"])
        with open(os.path.join(DEPLOY, "compose", "prometheus.yml"), encoding="utf-8") as f:
            result = promtool_check_config(f.read(), os.path.join(DEPLOY, "prometheus"))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_grafana_mounts_match_the_provisioning(self):
        grafana = self.services["grafana"]
        mounts = dict(v.split(":")[:2] for v in grafana["volumes"] if v.startswith("."))
        provider = load("grafana", "provisioning", "dashboards", "fieldpulse.yml")["providers"][0]
        self.assertEqual(mounts["../grafana/dashboards"], provider["options"]["path"])
        self.assertIn("PROMETHEUS_URL", grafana["environment"])
        source = load("grafana", "provisioning", "datasources", "prometheus.yml")["datasources"][0]
        self.assertEqual(source["url"], "${PROMETHEUS_URL}")
        self.assertEqual(source["type"], "prometheus")


class Kubernetes(unittest.TestCase):
    def setUp(self):
        self.docs = {}
        for name in os.listdir(os.path.join(DEPLOY, "k8s")):
            if name.endswith(".yaml") and name != "kustomization.yaml":
                for doc in load_all("k8s", name):
                    self.docs[doc["kind"]] = doc
        self.sts = self.docs["StatefulSet"]
        self.pod = self.sts["spec"]["template"]
        self.container = self.pod["spec"]["containers"][0]

    def test_kustomization_lists_every_manifest(self):
        listed = set(load("k8s", "kustomization.yaml")["resources"])
        on_disk = {n for n in os.listdir(os.path.join(DEPLOY, "k8s"))
                   if n.endswith(".yaml") and n != "kustomization.yaml"}
        self.assertEqual(listed, on_disk)

    def test_has_the_kinds(self):
        self.assertLessEqual({"ConfigMap", "StatefulSet", "Service", "ServiceMonitor"},
                             set(self.docs))

    def test_static_membership_from_the_pod_name(self):
        env = {e["name"]: e for e in self.container["env"]}
        ref = env["FIELDPULSE_KAFKA_INSTANCE_ID"]["valueFrom"]["fieldRef"]["fieldPath"]
        self.assertEqual(ref, "metadata.name")
        self.assertEqual(self.sts["spec"]["podManagementPolicy"], "Parallel")

    def test_environment_is_configuration_keys(self):
        env = {e["name"]: e.get("value", "fieldpulse-0") for e in self.container["env"]
               if e["name"].startswith("FIELDPULSE_")}
        self.assertTrue(env)
        result = print_config(env)
        self.assertEqual(result.returncode, 0, result.stderr)
        for key in env:
            self.assertIn(f"# env {key}", result.stdout)

    def test_probes_use_the_container_port(self):
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        self.assertEqual(self.container["livenessProbe"]["httpGet"]["path"], "/healthz")
        self.assertEqual(self.container["readinessProbe"]["httpGet"]["path"], "/readyz")
        for probe in ("livenessProbe", "readinessProbe"):
            self.assertIn(self.container[probe]["httpGet"]["port"], ports)
        annotations = self.pod["metadata"]["annotations"]
        self.assertEqual(annotations["prometheus.io/scrape"], "true")
        self.assertEqual(int(annotations["prometheus.io/port"]), ports["http"])
        self.assertEqual(annotations["prometheus.io/path"], "/metrics")

    def test_config_map_is_mounted_and_loads(self):
        config = self.docs["ConfigMap"]
        volume = next(v for v in self.pod["spec"]["volumes"]
                      if v.get("configMap", {}).get("name") == config["metadata"]["name"])
        mount = next(m for m in self.container["volumeMounts"] if m["name"] == volume["name"])
        args = self.container["args"]
        self.assertEqual(args[args.index("--config") + 1],
                         mount["mountPath"] + "/fieldpulse.toml")
        toml = config["data"]["fieldpulse.toml"]
        # The image installs under /usr/local (deploy/docker/Dockerfile).
        for path in re.findall(r'"(/usr/local/share/fieldpulse/[^"]+)"', toml):
            self.assertTrue(os.path.isfile(os.path.join(DATA, os.path.basename(path))), path)
        port = int(re.search(r'listen = "0\.0\.0\.0:(\d+)"', toml).group(1))
        self.assertEqual(port, self.container["ports"][0]["containerPort"])
        with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
            f.write(toml)
            f.flush()
            result = print_config({}, "--config", f.name,
                                  "--roster", os.path.join(DATA, "zhanjiang-roster.json"),
                                  "--catalog", os.path.join(DATA, "catalog.toml"))
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_service_and_service_monitor_select_the_pods(self):
        labels = self.pod["metadata"]["labels"]
        service = self.docs["Service"]
        self.assertEqual(self.sts["spec"]["serviceName"], service["metadata"]["name"])
        for key, value in service["spec"]["selector"].items():
            self.assertEqual(labels[key], value)
        monitor = self.docs["ServiceMonitor"]
        for key, value in monitor["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(service["metadata"]["labels"][key], value)
        port_names = {p["name"] for p in service["spec"]["ports"]}
        self.assertIn(monitor["spec"]["endpoints"][0]["port"], port_names)

    def test_scrape_config_passes_promtool(self):
        # Debian's Prometheus is built without Kubernetes discovery: promtool checks
        # the rest (relabelling) with a static target in its place.
        with open(os.path.join(DEPLOY, "k8s", "prometheus-scrape.yml"), encoding="utf-8") as f:
            text = f.read()
        config = yaml.safe_load(text)
        job = config["scrape_configs"][0]
        self.assertEqual(job["job_name"], "fieldpulse")
        self.assertEqual(job["kubernetes_sd_configs"], [{"role": "pod"}])
        del job["kubernetes_sd_configs"]
        job["static_configs"] = [{"targets": ["fieldpulse-0:8080"]}]
        result = promtool_check_config(yaml.safe_dump(config), os.path.join(DEPLOY, "prometheus"))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class ProbePaths(unittest.TestCase):
    """The paths the probes and scrapers use are served by a live `fieldpulse run`."""

    def test_probe_and_metrics_paths_are_served(self):
        with tempfile.TemporaryDirectory() as tmp:
            bootstrap_file = os.path.join(tmp, "bootstrap")
            broker = subprocess.Popen([BINARY, "broker", "--bootstrap-file", bootstrap_file,
                                       "--partitions", "1"], stdout=subprocess.PIPE, text=True)
            try:
                bootstrap = broker.stdout.readline().strip().split()[-1]
                run = subprocess.Popen([BINARY, "run", "--brokers", bootstrap, "--http",
                                        "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
                try:
                    line = run.stdout.readline()
                    base = re.search(r"(http://[0-9.:]+)/", line).group(1)
                    self.assertEqual(self.status(base + "/healthz"), 200)
                    self.assertIn(self.status(base + "/readyz"), (200, 503))
                    self.assertEqual(self.status(base + "/metrics"), 200)
                    self.assertEqual(self.status(base + "/no-such-probe"), 404)
                finally:
                    run.terminate()
                    self.assertEqual(run.wait(timeout=30), 0)
            finally:
                broker.terminate()
                broker.wait(timeout=30)

    @staticmethod
    def status(url):
        try:
            with urllib.request.urlopen(url, timeout=10) as reply:
                return reply.status
        except urllib.error.HTTPError as e:
            return e.code


if __name__ == "__main__":
    unittest.main(verbosity=2)
