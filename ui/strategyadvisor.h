// The Strategy page's advisor: the article's rule on the dataset's size (under 100k rows: PEFT
// such as LoRA; 100k to 1M: partial tuning; over 1M: full fine-tuning), stepped down while the
// memory estimate does not fit this machine's RAM, with the reason in words and a button that
// applies it.
#pragma once

#include <ft/modelstructure.h>
#include <ft/trainer.h>

#include <QGroupBox>

class QLabel;
class QPushButton;
class QSpinBox;

namespace ft {
class Model;
}

namespace ftui {

class StrategyAdvisor : public QGroupBox
{
    Q_OBJECT

public:
    explicit StrategyAdvisor(QWidget *parent = nullptr);

    // The article's rule alone, before the memory check.
    static QString advisedStrategy(qint64 rows);

    void setDatasetRows(qint64 rows);
    // Documents (stage pt): the count is tokens, read as rows of cutoff_len tokens (what
    // training packs them into) by the article's rule.
    void setDatasetTokens(qint64 tokens);
    bool countsTokens() const { return m_countsTokens; }
    // Recomputes the advice for `model` (null: the rule alone) and `settings` (batch, cutoff,
    // LoRA rank); `current` is the chosen strategy (the button is off when it is the advice).
    void refresh(const ft::Model *model, const ft::ModelStructure &structure,
                 const ft::TrainingConfig &settings, const QString &current);
    QString advised() const { return m_advised; }
    QString adviceText() const;
    // Over 1M rows, or when the article's strategy does not fit this machine's memory: the
    // advisor offers "Write a cluster recipe..." (a LLaMA-Factory recipe, docs/cluster.md).
    bool offersClusterRecipe() const { return m_offersRecipe; }

Q_SIGNALS:
    void rowsChanged();
    void applyRequested(const QString &strategy);
    void clusterRecipeRequested();

private:
    void setCountsTokens(bool tokens);

    QSpinBox *m_rows = nullptr;
    QLabel *m_rowsLabel = nullptr;
    bool m_countsTokens = false;
    QLabel *m_advice = nullptr;
    QPushButton *m_apply = nullptr;
    QPushButton *m_recipe = nullptr;
    QString m_advised;
    bool m_offersRecipe = false;
};

} // namespace ftui
