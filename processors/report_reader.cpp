#include "processors/report_reader.h"

#include <utility>

#include "processors/decoder.h"
#include "processors/validator.h"

namespace fp {

struct ReportReader::Impl {
  Impl(const Catalog& catalog, const Roster& roster, CoreOptions options, Clock clock)
      : validator(catalog, roster, options, std::move(clock)) {}

  Decoder decoder;
  Validator validator;
  DecodedReport decoded;  // reused: its member vectors keep their capacity
};

ReportReader::ReportReader(const Catalog& catalog, const Roster& roster, CoreOptions options,
                           Clock clock)
    : impl_(std::make_unique<Impl>(catalog, roster, options, std::move(clock))) {}

ReportReader::~ReportReader() = default;

bool ReportReader::read(std::string_view payload, Report& out, Rejection& why) {
  return impl_->decoder.decode(payload, impl_->decoded, why) &&
         impl_->validator.validate(impl_->decoded, out, why);
}

}  // namespace fp
