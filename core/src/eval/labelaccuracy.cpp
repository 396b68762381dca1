// Accuracy over a label set with its confusion table; labels compared after SQuAD normalising,
// so "Positive." names the label "positive".
#include "ft/error.h"
#include "ft/evalmetrics.h"

namespace ft {

LabelAccuracy::LabelAccuracy(std::vector<std::string> labels) : m_labels(std::move(labels))
{
    if (m_labels.empty())
        throwBadInput("accuracy: the label set is empty");
    for (const std::string &label : m_labels) {
        const std::string normalized = squadNormalize(label);
        if (normalized.empty())
            throwBadInput("accuracy: label '" + label + "' is empty after normalising");
        for (std::size_t i = 0; i < m_normalized.size(); ++i)
            if (m_normalized[i] == normalized)
                throwBadInput("accuracy: labels '" + m_labels[i] + "' and '" + label +
                              "' are the same after normalising");
        m_normalized.push_back(normalized);
    }
    m_confusion.assign(m_labels.size(), std::vector<int64_t>(m_labels.size() + 1, 0));
}

int LabelAccuracy::labelOf(const std::string &text) const
{
    const std::string normalized = squadNormalize(text);
    for (std::size_t i = 0; i < m_normalized.size(); ++i)
        if (m_normalized[i] == normalized)
            return static_cast<int>(i);
    return -1;
}

int LabelAccuracy::add(const std::string &prediction, const std::string &reference)
{
    const int expected = labelOf(reference);
    if (expected < 0)
        return -1;
    const int predicted = labelOf(prediction);
    const std::size_t column = predicted < 0 ? m_labels.size() : std::size_t(predicted);
    ++m_confusion[expected][column];
    ++m_rows;
    const bool correct = predicted == expected;
    m_correct += correct;
    return correct ? 1 : 0;
}

double LabelAccuracy::accuracy() const
{
    return m_rows == 0 ? 0.0 : double(m_correct) / double(m_rows);
}

} // namespace ft
