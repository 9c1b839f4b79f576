#!/usr/bin/env bash
# Creates fieldpulse's topics on a real Kafka cluster with Kafka's own CLI.
# Usage: deploy/kafka/create-topics.sh BOOTSTRAP [PARTITIONS] [REPLICATION]
# The development broker (`fieldpulse broker`) creates these by itself.
# min.insync.replicas is 2 from replication 3 up (one broker may be down), else 1
# (with 1 replica, 2 would refuse every acks=all write).
set -euo pipefail
bootstrap=${1:?usage: create-topics.sh BOOTSTRAP [PARTITIONS] [REPLICATION]}
partitions=${2:-12}
replication=${3:-3}
topics=${KAFKA_TOPICS_CMD:-kafka-topics.sh}
min_isr=$((replication >= 3 ? 2 : 1))

create() {
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$1" \
    --partitions "$partitions" --replication-factor "$replication" "${@:2}"
}

# Input: retention long enough to rebuild state from scratch if ever needed.
create field-reports --config retention.ms=-1 --config min.insync.replicas=$min_isr
# Rejected reports with their reason; kept for inspection and re-drive.
create field-reports.dlq --config retention.ms=2592000000
# Latest value per key wins: compaction keeps the table small.
create field-progress --config cleanup.policy=compact --config min.insync.replicas=$min_isr
# Per-partition checkpoints (self-contained snapshots), checkpoint of field-reports
# partition P in partition P: needs at least as many partitions as field-reports.
# Every chunk of a checkpoint has its own key (<group>/<topic>/<P>, then
# <group>/<topic>/<P>/<i>), so compaction keeps the newest checkpoint whole.
create fieldpulse.state --config cleanup.policy=compact --config min.insync.replicas=$min_isr \
  --config max.message.bytes=8388608
