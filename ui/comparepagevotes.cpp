// ComparePage: the blind votes turned into a preference dataset (ft/votedataset.h).
#include "comparepage.h"

#include "ft/project.h"
#include "ft/votedataset.h"

#include <QFileInfo>
#include <QLabel>

namespace ftui {

QString ComparePage::makePreferenceDataset()
{
    if (!QFileInfo::exists(m_projectFile)) {
        showError(tr("No project with blind votes yet: vote on a blind comparison first"));
        return {};
    }
    try {
        ft::ProjectStore store(m_projectFile.toStdString(), /*mustExist=*/true);
        const ft::VoteDataset made = ft::makeVoteDataset(store, ft::suggestVoteDatasetName(store));
        const QString name = QString::fromStdString(made.dataset.name);
        m_winRate->setText(tr("Dataset “%1”: %n pair(s) from the votes", nullptr, int(made.pairs)).arg(name) +
                           (made.ties > 0 ? tr(" (%n tie(s) left out)", nullptr, int(made.ties)) : QString()));
        Q_EMIT preferenceDatasetCreated(name);
        return name;
    } catch (const std::exception &e) {
        showError(QString::fromStdString(e.what()));
        return {};
    }
}

} // namespace ftui
