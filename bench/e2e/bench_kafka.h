// librdkafka set-up the end-to-end ceiling readers share: the tuned consumer of
// `bench_consume` and `bench_rows`, so both read the topic the same way.
#pragma once

#include <librdkafka/rdkafka.h>
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace fp::bench {

inline void set(rd_kafka_conf_t* conf, const char* key, const char* value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "bench: %s: %s\n", key, err);
    std::exit(2);
  }
}

inline int partition_count(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "bench: no metadata for %s\n", topic.c_str());
    std::exit(1);
  }
  const int n = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  return n;
}

// A consumer tuned like `fieldpulse run`: the same allocator setting
// (app/pipeline_process.cpp), a prefetch the whole topic fits in, so the fetcher never
// idles, and fetch responses small enough to be reused from the heap.
inline rd_kafka_t* tuned_consumer(const std::string& brokers, const std::string& group) {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", brokers.c_str());
  set(conf, "group.id", group.c_str());
  set(conf, "enable.auto.commit", "false");
  set(conf, "auto.offset.reset", "earliest");
  set(conf, "queued.min.messages", "10000000");
  set(conf, "queued.max.messages.kbytes", "2097151");
  set(conf, "fetch.wait.max.ms", "10");  // as `fieldpulse run` (kafka.fetch_wait_max_ms)
  set(conf, "fetch.max.bytes", "16777216");
  set(conf, "max.partition.fetch.bytes", "4194304");
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) {
    std::fprintf(stderr, "bench: %s\n", err);
    std::exit(1);
  }
  rd_kafka_poll_set_consumer(rk);
  return rk;
}

// Assigns every partition of `topic` from its beginning (no group membership).
inline void assign_from_beginning(rd_kafka_t* rk, const std::string& topic) {
  const int partitions = partition_count(rk, topic);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
}

}  // namespace fp::bench
