// The Compare page's three bars, built once: the sources (model, tuned run or folder, decoding,
// prompt or validation row), the two answer panes, and the vote bar. Behaviour: comparepage.cpp.
#include "comparepage.h"

#include "elidedlabel.h"
#include "theme.h"
#include "validationrowpicker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ftui {

QWidget *ComparePage::buildSourceBar()
{
    auto *box = new QFrame;
    box->setObjectName(QLatin1String(theme::kCardName));
    box->setStyleSheet(theme::cardStyleSheet());
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(14, 12, 14, 12);
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(8);

    m_runs = new QComboBox;
    m_runs->setObjectName(QStringLiteral("tunedRuns"));
    m_runs->addItem(tr("Choose a finished run…"), QString());
    // A long run name must not widen the window: the box shows ~28 characters, the list all.
    m_runs->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_runs->setMinimumContentsLength(28);
    connect(m_runs, qOverload<int>(&QComboBox::activated), this, &ComparePage::onRunChosen);
    auto *browse = new QPushButton(tr("Adapter or Model Folder…"));
    browse->setObjectName(QStringLiteral("chooseTuned"));
    connect(browse, &QPushButton::clicked, this, &ComparePage::chooseFolder);
    m_tunedLabel = new ElidedLabel;
    m_tunedLabel->setObjectName(QStringLiteral("tunedLabel"));
    theme::makeSecondary(m_tunedLabel);
    grid->addWidget(new QLabel(tr("Tuned side")), 0, 0);
    grid->addWidget(m_runs, 0, 1);
    grid->addWidget(browse, 0, 2);
    grid->addWidget(m_tunedLabel, 0, 3, 1, 4);
    grid->setColumnStretch(3, 1);

    m_validationRows = new ValidationRowPicker;
    connect(m_validationRows, qOverload<int>(&QComboBox::activated), this,
            &ComparePage::onValidationRowChosen);
    grid->addWidget(new QLabel(tr("Validation row")), 1, 0);
    grid->addWidget(m_validationRows, 1, 1, 1, 6);

    m_promptEdit = new QPlainTextEdit;
    m_promptEdit->setObjectName(QStringLiteral("comparePrompt"));
    m_promptEdit->setPlaceholderText(tr("A prompt both models answer…"));
    m_promptEdit->setFixedHeight(64);
    connect(m_promptEdit, &QPlainTextEdit::textChanged, this, &ComparePage::onPromptEdited);
    grid->addWidget(new QLabel(tr("Prompt")), 2, 0, Qt::AlignTop);
    grid->addWidget(m_promptEdit, 2, 1, 1, 6);

    m_maxTokens = new QSpinBox;
    m_maxTokens->setObjectName(QStringLiteral("compareMaxTokens"));
    m_maxTokens->setRange(1, 4096);
    m_maxTokens->setValue(96);
    m_temperature = new QDoubleSpinBox;
    m_temperature->setObjectName(QStringLiteral("compareTemperature"));
    m_temperature->setRange(0, 2);
    m_temperature->setSingleStep(0.1);
    m_temperature->setValue(0.7);
    m_temperature->setToolTip(tr("0 is greedy; both sides sample with the same seed."));
    m_seed = new QSpinBox;
    m_seed->setObjectName(QStringLiteral("compareSeed"));
    m_seed->setRange(0, 1000000);
    m_seed->setValue(42);
    m_blind = new QCheckBox(tr("Blind (hide and shuffle the sides)"));
    m_blind->setObjectName(QStringLiteral("blindMode"));
    m_compare = new QPushButton(tr("Compare"));
    m_compare->setObjectName(QStringLiteral("compareButton"));
    m_compare->setDefault(true);
    m_compare->setShortcut(QKeySequence(QStringLiteral("Ctrl+Return")));
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("cancelCompare"));
    connect(m_compare, &QPushButton::clicked, this, &ComparePage::compare);
    connect(m_cancel, &QPushButton::clicked, this, &ComparePage::cancel);
    connect(m_blind, &QCheckBox::toggled, this, [this] { updateTitles(); updateState(); });
    m_blind->setToolTip(tr("The sides are hidden and shuffled, and the answers come from a fresh "
                           "seed you have not seen (stored with your verdict)."));

    auto *settings = new QHBoxLayout;
    settings->setSpacing(8);
    settings->addWidget(new QLabel(tr("Max new tokens")));
    settings->addWidget(m_maxTokens);
    settings->addSpacing(8);
    settings->addWidget(new QLabel(tr("Temperature")));
    settings->addWidget(m_temperature);
    settings->addSpacing(8);
    settings->addWidget(new QLabel(tr("Seed")));
    settings->addWidget(m_seed);
    settings->addStretch(1);
    grid->addLayout(settings, 3, 1, 1, 6);
    // Blind and the buttons on their own row, so that the row above fits a 1024-pixel window.
    auto *actions = new QHBoxLayout;
    actions->setSpacing(8);
    actions->addWidget(m_blind);
    actions->addStretch(1);
    actions->addWidget(m_cancel);
    actions->addWidget(m_compare);
    grid->addLayout(actions, 4, 1, 1, 6);
    grid->setColumnStretch(6, 1);
    return box;
}

QWidget *ComparePage::buildPanes()
{
    auto *panes = new QWidget;
    auto *h = new QHBoxLayout(panes);
    h->setContentsMargins(0, 0, 0, 0);
    h->setSpacing(12);
    auto pane = [&](QLabel *&titleLabel, QLabel *&stats, QPlainTextEdit *&text, const char *name)
        -> QFrame * {
        auto *card = new QFrame;
        card->setObjectName(QLatin1String(theme::kCardName));
        card->setStyleSheet(theme::cardStyleSheet());
        auto *v = new QVBoxLayout(card);
        v->setContentsMargins(14, 10, 14, 12);
        auto *top = new QHBoxLayout;
        titleLabel = new ElidedLabel; // a long run name ends in "…", not cut mid-letter
        theme::makeHeading(titleLabel, 1.15);
        // A long run name must not widen one pane: the two stay the same width.
        titleLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        stats = new QLabel;
        theme::makeSecondary(stats);
        // The title takes the room the stats leave (a stretch beside it would squeeze an
        // Ignored-width label to nothing).
        top->addWidget(titleLabel, 1);
        top->addWidget(stats);
        v->addLayout(top);
        text = new QPlainTextEdit;
        text->setObjectName(QLatin1String(name));
        text->setReadOnly(true);
        text->setFrameShape(QFrame::NoFrame);
        v->addWidget(text, 1);
        h->addWidget(card, 1);
        return card;
    };
    pane(m_leftTitle, m_leftStats, m_left, "leftOutput");
    pane(m_rightTitle, m_rightStats, m_right, "rightOutput");
    QLabel *referenceTitle = nullptr, *referenceStats = nullptr;
    m_referenceCard = pane(referenceTitle, referenceStats, m_reference, "referenceAnswer");
    referenceTitle->setText(tr("Reference (the row's answer)"));
    m_referenceCard->hide();
    return panes;
}

QWidget *ComparePage::buildVoteBar()
{
    auto *bar = new QWidget;
    auto *column = new QVBoxLayout(bar);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(6);
    m_voteBar = new QWidget;
    auto *votes = new QHBoxLayout(m_voteBar);
    votes->setContentsMargins(0, 0, 0, 0);
    m_voteA = new QPushButton(tr("A is better"));
    m_voteA->setObjectName(QStringLiteral("voteA"));
    m_voteB = new QPushButton(tr("B is better"));
    m_voteB->setObjectName(QStringLiteral("voteB"));
    m_voteTie = new QPushButton(tr("Tie"));
    m_voteTie->setObjectName(QStringLiteral("voteTie"));
    m_note = new QLineEdit;
    m_note->setObjectName(QStringLiteral("voteNote"));
    m_note->setPlaceholderText(tr("Note (optional): why?"));
    m_note->setMinimumWidth(160);
    votes->addWidget(m_voteA);
    votes->addWidget(m_voteB);
    votes->addWidget(m_voteTie);
    votes->addWidget(m_note, 1);
    connect(m_voteA, &QPushButton::clicked, this, [this] { vote(QStringLiteral("A"), m_note->text()); });
    connect(m_voteB, &QPushButton::clicked, this, [this] { vote(QStringLiteral("B"), m_note->text()); });
    connect(m_voteTie, &QPushButton::clicked, this, [this] { vote(QStringLiteral("tie"), m_note->text()); });
    column->addWidget(m_voteBar);

    // The win rate and the project on a row of their own (they grow with the counts and names).
    auto *h = new QHBoxLayout;
    h->setSpacing(8);
    column->addLayout(h);
    m_winRate = new ElidedLabel;
    m_winRate->setObjectName(QStringLiteral("winRate"));
    theme::makeHeading(m_winRate, 1.0);
    m_projectLabel = new ElidedLabel;
    m_projectLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    theme::makeSecondary(m_projectLabel);
    auto *changeProject = new QPushButton(tr("Project…"));
    changeProject->setToolTip(tr("The project file where verdicts are stored"));
    connect(changeProject, &QPushButton::clicked, this, &ComparePage::chooseProject);
    m_makeDataset = new QPushButton(tr("Make preference dataset from votes"));
    m_makeDataset->setObjectName(QStringLiteral("makePreferenceDataset"));
    m_makeDataset->setToolTip(tr("Each blind vote with a winner becomes a pair (the prompt, the winning "
                                 "answer as chosen, the other as rejected; ties are left out) in a new "
                                 "project dataset, trainable with DPO or ORPO on the Train page."));
    connect(m_makeDataset, &QPushButton::clicked, this, [this] { makePreferenceDataset(); });
    h->addWidget(m_winRate, 2);
    h->addWidget(m_projectLabel, 1);
    h->addWidget(m_makeDataset);
    h->addWidget(changeProject);
    return bar;
}

} // namespace ftui
