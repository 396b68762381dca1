// CSV / TSV records (RFC 4180) as raw fields, the header left to the caller (benchmark CSVs may
// have none). Bounded like RecordReader: a record over kMaxRecordBytes is an error. Implemented
// in recordreader.cpp, whose CSV RecordReader reads through it.
#pragma once

#include "data/textstream.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ft {

class CsvRowReader
{
public:
    CsvRowReader(const std::filesystem::path &path, char sep);
    ~CsvRowReader();
    CsvRowReader(const CsvRowReader &) = delete;
    CsvRowReader &operator=(const CsvRowReader &) = delete;

    // One record's fields, the line it starts on and what is wrong with it (empty when nothing);
    // false at the end of the file. A blank line is one empty field.
    bool next(std::vector<std::string> &fields, int64_t &line, std::string &error);
    const TextStream &stream() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace ft
