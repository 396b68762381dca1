// A dataset review kept in its project: the rows handed to the review, and the findings plus the
// report written back in one transaction that replaces the dataset's previous review.
#pragma once

#include "ft/review.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class ProjectStore;

// The dataset's rows as the review sees them: rowId = the row's index in its dataset, the
// system prompt first (when there is one), the edited conversation where a row was edited, its
// split and source; text rows as plain text.
std::vector<ReviewRow> reviewRowsOf(const ProjectStore &store, int64_t datasetId);

// The same rows read from the store a chunk at a time (a million rows' review stays within
// memory). The store must outlive it and not change while the review reads it.
class StoreReviewRows : public ReviewRowSource
{
public:
    StoreReviewRows(const ProjectStore &store, int64_t datasetId);
    std::size_t size() const override { return m_size; }
    void read(std::size_t begin, std::size_t count, std::vector<ReviewRow> &out) const override;
    ReviewRow at(std::size_t index) const override;

private:
    const ProjectStore &m_store;
    int64_t m_datasetId;
    std::size_t m_size;
};

// Replaces every finding of the dataset with the review's (the message goes into the stored
// detail as "message") and saves the report, in one transaction: a failure leaves the previous
// review in place.
void saveReview(ProjectStore &store, int64_t datasetId, const ReviewResult &result);

// Row indices (sorted) with a stored finding of `kind`; "pii:TYPE" selects one kind of personal
// data (e.g. "pii:email"). BadInput for a kind the review does not produce.
std::vector<int64_t> rowsWithFinding(const ProjectStore &store, int64_t datasetId, const std::string &kind);

// The report of the dataset's last saved review (with "reviewed_at"), if any.
std::optional<nlohmann::json> loadReviewReport(const ProjectStore &store, int64_t datasetId);

} // namespace ft
