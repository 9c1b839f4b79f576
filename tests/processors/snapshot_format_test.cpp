// The partition snapshot format itself: exact round trips of large and extreme
// states, and rejection of corrupt, truncated and inconsistent bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core_fixture.h"
#include "processors/snapshot.h"
#include "processors/snapshot_codec.h"

namespace fp {
namespace {

constexpr std::int32_t kHorizon = 1 << 30;  // nothing is forgotten while a test fills a deduper

// An Int128 as text, so that comparisons print on failure.
std::string text(Int128 v) {
  const bool negative = v < 0;
  Uint128 u = negative ? ~static_cast<Uint128>(v) + 1 : static_cast<Uint128>(v);
  std::string out;
  do {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  return negative ? "-" + out : out;
}

// A partition's content in a form that compares and prints.
struct Content {
  std::vector<std::uint64_t> counts;
  std::vector<std::tuple<RegionId, std::string, std::int32_t>> ids;
  std::map<std::uint64_t, std::vector<std::string>> blocks;
  std::vector<std::tuple<CadreId, std::int32_t, std::int64_t, std::int64_t>> spans;
};

Content common(const PartitionState& st) {
  Content c;
  const OutcomeCounts& n = st.counts;
  c.counts = {n.consumed, n.accepted, n.duplicate, n.rejected};
  c.counts.insert(c.counts.end(), n.rejected_by_reason.begin(), n.rejected_by_reason.end());
  c.counts.insert(c.counts.end(), n.accepted_by_kind.begin(), n.accepted_by_kind.end());
  st.deduper.for_each([&](RegionId village, std::string_view id, std::int32_t day) {
    c.ids.emplace_back(village, std::string(id), day);
  });
  std::sort(c.ids.begin(), c.ids.end());
  for (const ActivitySpan& s : st.activity.spans) {
    c.spans.emplace_back(s.cadre, s.day, s.first_ms, s.last_ms);
  }
  std::sort(c.spans.begin(), c.spans.end());
  return c;
}

Content content(const PartitionState& st, const Aggregator& aggregator) {
  Content c = common(st);
  for (const FlatIndex::Slot& s : st.aggregates.index.slots()) {
    if (s.key == FlatIndex::kEmpty) continue;
    std::vector<std::string>& cells = c.blocks[s.key];
    for (std::uint32_t f = 0; f < aggregator.block_size(BlockKey::unpack(s.key).kind); ++f) {
      cells.push_back(text(st.aggregates.cells[s.a + f]));
    }
  }
  return c;
}

Content content(const DecodedPartition& d, const Aggregator& aggregator) {
  Content c = common(*d.state);
  std::size_t offset = 0;
  for (const std::uint64_t key : d.block_keys) {
    EXPECT_EQ(c.blocks.count(key), 0U) << "block " << key << " decoded twice";
    std::vector<std::string>& cells = c.blocks[key];
    for (std::uint32_t f = 0; f < aggregator.block_size(BlockKey::unpack(key).kind); ++f) {
      cells.push_back(text(d.block_cells[offset++]));
    }
  }
  EXPECT_EQ(offset, d.block_cells.size());
  return c;
}

void expect_same(const Content& a, const Content& b) {
  EXPECT_EQ(a.counts, b.counts);
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.blocks, b.blocks);
  EXPECT_EQ(a.spans, b.spans);
}

struct World {
  std::shared_ptr<const Catalog> catalog;
  std::shared_ptr<Roster> roster;  // decoding keeps former entities in it
  Aggregator aggregator;

  World(std::shared_ptr<const Catalog> c, const std::shared_ptr<const Roster>& r)
      : catalog(std::move(c)),
        roster(std::make_shared<Roster>(*r)),
        aggregator(*catalog, *roster) {}

  [[nodiscard]] std::string encode(const PartitionState& st, std::int32_t partition = 0) const {
    return encode_partition(partition, st, *catalog, *roster, aggregator);
  }
  DecodedPartition decode(std::string_view bytes, std::int32_t partition = 0) const {
    return decode_partition(partition, bytes, *catalog, *roster, aggregator, kHorizon);
  }
};

World zhanjiang() {
  return World(std::make_shared<const Catalog>(Catalog::load(FP_DATA_DIR "/catalog.toml")),
               std::make_shared<const Roster>(Roster::load(FP_DATA_DIR "/zhanjiang-roster.json")));
}

World small() { return World(core_test::catalog(), core_test::roster()); }

// Counts that add up, with `accepted` at least the ids held.
void fill_counts(std::mt19937_64& rng, OutcomeCounts& c, std::size_t ids) {
  for (std::uint64_t& n : c.accepted_by_kind) n = rng() % 5000;
  c.accepted_by_kind[0] += ids;
  for (std::uint64_t& n : c.rejected_by_reason) n = rng() % 3 == 0 ? 0 : rng() % 100;
  c.accepted = c.rejected = 0;
  for (const std::uint64_t n : c.accepted_by_kind) c.accepted += n;
  for (const std::uint64_t n : c.rejected_by_reason) c.rejected += n;
  c.duplicate = rng() % 1000;
  c.consumed = c.accepted + c.duplicate + c.rejected;
}

Int128 random_cell(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0:
      return static_cast<Int128>(rng() % 100);
    case 1:
      return -static_cast<Int128>(rng() % 100000);
    case 2:
      return static_cast<Int128>(static_cast<std::int64_t>(rng()));
    case 3:
      return static_cast<Int128>((static_cast<Uint128>(rng()) << 64) | rng());
    default:
      return static_cast<Int128>(rng() % 100000000) * 1000;
  }
}

// A partition state of random content over the Zhanjiang roster and catalog:
// `ids` report ids (mostly like the field's, some of any bytes and length),
// `blocks` aggregate blocks of every level with small, large and extreme cells,
// and `spans` activity spans, some with times far from their day.
PartitionState random_state(World& w, std::uint64_t seed, int ids, int blocks, int spans) {
  PartitionState st(kHorizon, w.catalog->kinds().size());
  const Roster& roster = *w.roster;
  std::vector<RegionId> villages, by_level[4];
  for (RegionId r = 0; r < roster.regions().size(); ++r) {
    by_level[static_cast<int>(roster.region(r).level)].push_back(r);
  }
  villages = by_level[static_cast<int>(Level::village)];
  std::mt19937_64 rng(seed);
  const std::int32_t today = *parse_day("2019-07-30");

  // Ids: mostly like the field's, some of any bytes and length, some days far back.
  std::size_t held = 0;
  for (int i = 0; i < ids; ++i) {
    const RegionId village = villages[rng() % villages.size()];
    const std::int32_t day = today - static_cast<std::int32_t>(rng() % 40) -
                             (rng() % 100 == 0 ? static_cast<std::int32_t>(rng() % 3000) : 0);
    std::string id;
    if (rng() % 10 == 0) {
      id.resize(1 + rng() % 64);
      for (char& ch : id) ch = static_cast<char>(rng());
    } else {
      id = "zj-" + std::to_string(day) + "-C" + std::to_string(rng() % 40) + "-" +
           std::to_string(rng() % 3000);
    }
    if (st.deduper.insert(village, id, day)) ++held;
  }
  EXPECT_EQ(st.deduper.size(), held);

  // Blocks of every level, windows and totals, cells small, large and extreme.
  for (int i = 0; i < blocks; ++i) {
    const auto level = static_cast<Level>(rng() % 5);
    const std::uint32_t entity =
        level == Level::cadre
            ? static_cast<std::uint32_t>(rng() % roster.cadres().size())
            : by_level[static_cast<int>(level)][rng() % by_level[static_cast<int>(level)].size()];
    const auto kind = static_cast<KindId>(rng() % w.catalog->kinds().size());
    const std::int32_t window =
        rng() % 4 == 0 ? kTotalWindow
                       : (rng() % 50 == 0 ? static_cast<std::int32_t>(rng() % BlockKey::kWindowBias)
                                          : today - static_cast<std::int32_t>(rng() % 40));
    std::vector<Int128> cells(w.aggregator.block_size(kind));
    for (Int128& cell : cells) cell = random_cell(rng);
    if (i == 0) cells[0] = static_cast<Int128>(~Uint128{0} >> 1);
    if (i == 1) cells[0] = -static_cast<Int128>(~Uint128{0} >> 1) - 1;
    // Each key once: adding to a block of extreme values could overflow.
    const std::uint64_t key = BlockKey::pack(level, entity, kind, window);
    if (st.aggregates.index.find(key) == nullptr) {
      w.aggregator.add_block(st.aggregates, key, cells.data());
    }
  }

  // Spans: many cadres and days, some with times far from their day.
  CadreActivity activity(roster);
  for (int i = 0; i < spans; ++i) {
    const auto cadre = static_cast<CadreId>(rng() % roster.cadres().size());
    const std::int32_t day = today - static_cast<std::int32_t>(rng() % 60);
    std::int64_t at =
        day * 86400000LL - 8 * 3600000LL + static_cast<std::int64_t>(rng() % 86400000);
    if (i == 0) at = INT64_MIN;
    if (i == 1) at = INT64_MAX;
    activity.add(st.activity, cadre, day, at);
  }

  fill_counts(rng, st.counts, held);
  return st;
}

TEST(SnapshotFormat, ALargeRandomStateRoundTripsExactly) {
  World w = zhanjiang();
  const PartitionState st = random_state(w, 20190730, 60000, 8000, 20000);
  const std::string bytes = w.encode(st, 17);
  expect_same(content(w.decode(bytes, 17), w.aggregator), content(st, w.aggregator));
  // Deterministic: the same state always encodes to the same bytes.
  EXPECT_EQ(w.encode(st, 17), bytes);
}

// Format v1 as it was written before v2 (fixed-width fields, the whole roster
// and catalog, FNV-1a), to check that such checkpoints are still read.
std::string encode_v1(std::int32_t partition, const PartitionState& state, const World& w) {
  SnapshotWriter out;
  const auto i32 = [&out](std::int32_t v) { out.raw(&v, 4); };
  const auto i64 = [&out](std::int64_t v) { out.raw(&v, 8); };
  const auto str = [&out](std::string_view s) {
    out.u32(static_cast<std::uint32_t>(s.size()));
    out.raw(s.data(), s.size());
  };
  out.raw("FPPS", 4);
  out.u32(1);
  i32(partition);
  out.u64(w.roster->regions().size());
  for (const Region& r : w.roster->regions()) str(r.code);
  out.u64(w.roster->cadres().size());
  for (const Cadre& c : w.roster->cadres()) str(c.cadre_id);
  out.u64(w.catalog->kinds().size());
  for (const Kind& k : w.catalog->kinds()) {
    str(k.name);
    out.u64(k.fields.size());
    for (const ValueField& f : k.fields) str(f.name);
  }
  const OutcomeCounts& c = state.counts;
  for (const std::uint64_t n : {c.consumed, c.accepted, c.duplicate, c.rejected}) out.u64(n);
  out.u64(kReasonCount);
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    str(kReasonNames[i]);
    out.u64(c.rejected_by_reason[i]);
  }
  for (const std::uint64_t n : c.accepted_by_kind) out.u64(n);
  out.u64(state.deduper.size());
  state.deduper.for_each([&](RegionId village, std::string_view id, std::int32_t day) {
    out.u32(village);
    i32(day);
    str(id);
  });
  out.u64(state.aggregates.index.size());
  for (const FlatIndex::Slot& s : state.aggregates.index.slots()) {
    if (s.key == FlatIndex::kEmpty) continue;
    const BlockKey k = BlockKey::unpack(s.key);
    out.u8(static_cast<std::uint8_t>(k.level));
    out.u32(k.entity);
    out.u32(k.kind);
    i32(k.window);
    for (std::uint32_t f = 0; f < w.aggregator.block_size(k.kind); ++f) {
      out.raw(&state.aggregates.cells[s.a + f], 16);
    }
  }
  out.u64(state.activity.spans.size());
  for (const ActivitySpan& s : state.activity.spans) {
    out.u32(s.cadre);
    i32(s.day);
    i64(s.first_ms);
    i64(s.last_ms);
  }
  out.u64(snapshot_checksum_v1(out.written()));
  return out.take();
}

TEST(SnapshotFormat, VersionOneSnapshotsAreStillRead) {
  World w = zhanjiang();
  const PartitionState st = random_state(w, 7, 3000, 2000, 1000);
  const std::string v1 = encode_v1(5, st, w);
  expect_same(content(w.decode(v1, 5), w.aggregator), content(st, w.aggregator));
  std::string corrupt = v1;
  corrupt[v1.size() / 2] ^= 1;
  EXPECT_THROW(w.decode(corrupt, 5), SnapshotError);
}

TEST(SnapshotFormat, CellsKeepTheirExactValueOverTheWholeInt128Range) {
  World w = small();
  const Int128 max = static_cast<Int128>(~Uint128{0} >> 1);
  const Int128 min = -max - 1;
  const Int128 two64 = static_cast<Int128>(Uint128{1} << 64);
  const std::vector<Int128> values = {0,   1,         -1,        63,      -64,     64,
                                      -65, INT64_MAX, INT64_MIN, two64,   -two64,  two64 - 1,
                                      max, min,       max - 1,   min + 1, max / 2, min / 2};
  PartitionState st(kHorizon, w.catalog->kinds().size());
  const KindId produce = *w.catalog->find("produce_sold");  // 3 cells a block
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Int128 cells[3] = {values[i], values[(i + 1) % values.size()],
                             values[(i + 7) % values.size()]};
    w.aggregator.add_block(st.aggregates,
                           BlockKey::pack(Level::city, 0, produce, static_cast<std::int32_t>(i)),
                           cells);
  }
  const DecodedPartition d = w.decode(w.encode(st));
  expect_same(content(d, w.aggregator), content(st, w.aggregator));
  ASSERT_EQ(d.block_cells.size(), 3 * values.size());
  std::vector<std::string> firsts;
  for (std::size_t i = 0; i < values.size(); ++i) firsts.push_back(text(d.block_cells[3 * i]));
  std::vector<std::string> expected;
  for (const Int128 v : values) expected.push_back(text(v));
  EXPECT_EQ(firsts, expected);
  EXPECT_EQ(text(max), "170141183460469231731687303715884105727");
}

TEST(SnapshotFormat, FrontCodedStringsRoundTripAtEveryHeaderBoundary) {
  std::vector<std::string> strings = {"", "a", "ab", "b"};
  for (const std::size_t n : {14, 15, 16, 17, 300}) {
    strings.push_back("x" + std::string(n, 'y'));
    strings.push_back("x" + std::string(n, 'y') + "z");
    strings.push_back("x");
  }
  SnapshotWriter w;
  std::string_view previous;
  for (const std::string& s : strings) {
    w.str_after(previous, s);
    previous = s;
  }
  const std::string bytes = w.take();
  SnapshotReader r(bytes);
  std::string s;
  for (const std::string& expected : strings) {
    r.str_after(s);
    EXPECT_EQ(s, expected);
  }
  EXPECT_TRUE(r.at_end());
}

TEST(SnapshotFormat, AnEmptyPartitionRoundTrips) {
  const World w = small();
  const PartitionState st(kHorizon, w.catalog->kinds().size());
  const std::string bytes = w.encode(st, 3);
  EXPECT_LT(bytes.size(), 40U);
  expect_same(content(w.decode(bytes, 3), w.aggregator), content(st, w.aggregator));
}

// A small snapshot of real processing: two villages, resends and rejects.
std::string small_snapshot() {
  auto core = core_test::make_core();
  using core_test::report;
  core_test::run(
      *core, {report("a-1", "S001", "440823105201", "household_visit", "2019-07-28T09:00:00+08:00"),
              report("a-2", "S001", "440823105201", "produce_sold", "2019-07-28T10:00:00+08:00",
                     R"({"jin":12.5,"yuan":3})"),
              report("a-2", "S001", "440823105201", "produce_sold", "2019-07-28T10:00:00+08:00"),
              report("b-1", "S002", "440823105202", "household_visit", "2019-07-29T11:00:00+08:00",
                     R"({"households":3})"),
              "{\"v\":2}"});
  return core->snapshot_partition(0);
}

TEST(SnapshotFormat, EverySingleByteCorruptionIsRejected) {
  const World w = small();
  const std::string good = small_snapshot();
  ASSERT_NO_THROW(w.decode(good));
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (int delta = 1; delta < 256; ++delta) {
      std::string bad = good;
      bad[at] = static_cast<char>(static_cast<unsigned char>(bad[at]) + delta);
      EXPECT_THROW(w.decode(bad), SnapshotError) << "byte " << at << " + " << delta;
    }
  }
}

TEST(SnapshotFormat, EveryTruncationIsRejected) {
  const World w = small();
  const std::string good = small_snapshot();
  for (std::size_t size = 0; size < good.size(); ++size) {
    EXPECT_THROW(w.decode(std::string_view(good).substr(0, size)), SnapshotError) << size;
  }
  EXPECT_THROW(w.decode(good + '\0'), SnapshotError);
}

TEST(SnapshotFormat, ASnapshotListsOnlyTheNamesItUses) {
  const std::string bytes = small_snapshot();
  EXPECT_NE(bytes.find("household_visit"), std::string::npos);
  EXPECT_NE(bytes.find("produce_sold"), std::string::npos);
  EXPECT_EQ(bytes.find("funds_raised"), std::string::npos);  // a kind without reports
  EXPECT_EQ(bytes.find("S004"), std::string::npos);          // a cadre that did not report
  EXPECT_EQ(bytes.find("106201"), std::string::npos);        // a village without reports
}

TEST(SnapshotFormat, ARegionTheRosterLacksIsKeptAsFormer) {
  const World w = small();
  PartitionState st(kHorizon, w.catalog->kinds().size());
  ASSERT_TRUE(st.deduper.insert(*w.roster->find_region("440881101201"), "r-1", 18000));
  st.counts.consumed = st.counts.accepted = st.counts.accepted_by_kind[0] = 1;
  const std::string bytes = w.encode(st);

  Roster without = Roster::parse(
      R"json({"version": 1, "city": {"code": "4408", "name": "湛江市"},
       "counties": [{"code": "440823", "name": "遂溪县"}],
       "towns": [{"code": "440823105", "name": "北坡镇", "county": "440823"}],
       "villages": [{"code": "440823105202", "name": "另一村", "town": "440823105"}],
       "cadres": []})json",
      "without.json");
  const Aggregator aggregator(*w.catalog, without);
  const DecodedPartition d = decode_partition(0, bytes, *w.catalog, without, aggregator, kHorizon);
  EXPECT_EQ(d.state->deduper.size(), 1U);
  // The village and the county and town above it, none in the file.
  for (const char* code : {"440881", "440881101", "440881101201"}) {
    const auto id = without.find_region(code);
    ASSERT_TRUE(id) << code;
    EXPECT_TRUE(without.region(*id).former) << code;
  }
  EXPECT_EQ(without.region(*without.find_region("440881101201")).parent,
            without.find_region("440881101"));
  EXPECT_FALSE(without.find_village("440881101201") == std::nullopt);
  EXPECT_FALSE(without.region(*without.find_region("440823105202")).former);
}

// Hand-written v2 snapshots: one village, cadre, kind, id, block and span,
// with one thing wrong, and a valid checksum.
enum class Fault {
  none,
  region_name,
  region_index,
  cadre_index,
  kind_index,
  level,
  window,
  counts,
  repeated_id,
  repeated_span,
  day,
  trailing
};

std::string crafted(Fault f) {
  const std::int32_t day = 18100;
  SnapshotWriter w;
  w.raw("FPPS", 4);
  w.u32(2);
  w.svarint(0);  // partition
  w.svarint(day);
  w.uvarint(1);
  w.str_after("", f == Fault::region_name ? "450823105299" : "440823105201");
  w.uvarint(1);
  w.str_after("", "S001");
  w.uvarint(1);
  w.str("household_visit");
  w.uvarint(1);
  w.str("households");
  w.uvarint(f == Fault::counts ? 3 : 2);  // consumed
  w.uvarint(2);                           // accepted
  w.uvarint(0);                           // duplicate
  w.uvarint(0);                           // rejected
  w.uvarint(0);                           // reasons
  w.uvarint(2);                           // accepted household_visit
  w.uvarint(2);                           // ids
  w.uvarint(1);                           // id groups
  w.uvarint(f == Fault::region_index ? 1 : 0);
  w.svarint(f == Fault::day ? INT64_MAX : 0);
  w.uvarint(2);
  w.str_after("", "r-1");
  w.str_after("r-1", f == Fault::repeated_id ? "r-1" : "r-2");
  w.uvarint(1);                               // blocks
  w.uvarint(1);                               // block groups
  w.uvarint(f == Fault::level ? 5 : 3);       // village
  w.uvarint(0);                               // entity
  w.uvarint(f == Fault::kind_index ? 1 : 0);  // kind
  w.uvarint(1);                               // windows
  w.uvarint(f == Fault::window ? BlockKey::kWindowBias - day + 1 : 1);
  w.cell(2);
  w.cell(2000);
  w.uvarint(2);                                // spans
  w.uvarint(1);                                // span groups
  w.uvarint(f == Fault::cadre_index ? 1 : 0);  // cadre
  w.uvarint(2);
  for (int i = 0; i < 2; ++i) {
    w.uvarint(i == 1 && f == Fault::repeated_span ? 0 : static_cast<std::uint64_t>(i));
    w.svarint(9 * 3600000);
    w.uvarint(60000);
  }
  if (f == Fault::trailing) w.u8(0);
  w.u64(snapshot_checksum(w.written()));
  return w.take();
}

TEST(SnapshotFormat, InconsistentSnapshotsAreRejectedWithTheReason) {
  const World w = small();
  const DecodedPartition d = w.decode(crafted(Fault::none));
  EXPECT_EQ(d.state->deduper.size(), 2U);
  EXPECT_EQ(d.block_keys.size(), 1U);
  EXPECT_EQ(d.state->activity.spans.size(), 2U);

  const std::pair<Fault, std::string> cases[] = {
      {Fault::region_name, "region \"450823105299\" is not a region of city \"4408\""},
      {Fault::region_index, "region index out of range"},
      {Fault::cadre_index, "cadre index out of range"},
      {Fault::kind_index, "kind index out of range"},
      {Fault::level, "bad level"},
      {Fault::window, "bad window"},
      {Fault::counts, "outcome counts do not add up"},
      {Fault::repeated_id, "repeated report id \"r-1\""},
      {Fault::repeated_span, "repeated activity span"},
      {Fault::day, "bad day"},
      {Fault::trailing, "trailing bytes"},
  };
  for (const auto& [fault, message] : cases) {
    try {
      w.decode(crafted(fault));
      ADD_FAILURE() << "decoded a snapshot that should fail with: " << message;
    } catch (const SnapshotError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos)
          << e.what() << " (expected: " << message << ")";
    }
  }
}

TEST(SnapshotFormat, AnotherVersionIsRejectedByNumber) {
  const World w = small();
  std::string bytes = crafted(Fault::none);
  bytes[4] = 9;
  try {
    w.decode(bytes);
    FAIL() << "decoded a version 9 snapshot";
  } catch (const SnapshotError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported version 9"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fp
