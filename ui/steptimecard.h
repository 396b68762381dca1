// A card beside the Train page's settings that says what a run will take before it starts: the
// Trainer's own plan of steps for the data (ft::estimateStepTime) and one optimiser step's time
// from a measured micro-batch (forward and backward of the real first micro-batch, on a pool
// thread), with the whole run's time and a hint when a step will be slow on this machine.
// After a change of batch size, accumulation, epochs or max steps the plan and time are
// recomputed from the measurement; other changes ask for a new one.
#pragma once

#include <ft/trainer.h>

#include <QFrame>
#include <QFutureWatcher>

#include <memory>

class QLabel;
class QPushButton;

namespace ftui {

class StepTimeCard : public QFrame
{
    Q_OBJECT

public:
    // Steps slower than this get the hint (10 s: on 2 CPU cores the article's 4 x 8 rows at
    // cutoff 256 take about 30 s).
    static constexpr double kSlowStepSeconds = 10.0;
    void setSlowStepSeconds(double seconds);

    explicit StepTimeCard(QWidget *parent = nullptr);
    ~StepTimeCard() override;

    // The settings of the next run; `ready`: a model is open and the data chosen.
    void setConfig(const ft::TrainingConfig &config, bool ready);
    // Measures in the background (a copy of the model and the data are loaded).
    void estimate();
    bool isEstimating() const;
    // The estimate for the current settings (measured, or rescaled from a measurement).
    bool hasEstimate() const { return m_valid; }
    ft::StepTimeEstimate current() const { return m_current; }
    QString text() const;
    QString hint() const;

Q_SIGNALS:
    // The plan or time changed (or is gone: steps 0).
    void planChanged(qint64 totalSteps, double runSeconds);
    void failed(const QString &message);

private:
    void onMeasured();
    void refresh();

    ft::TrainingConfig m_config;
    bool m_ready = false;
    bool m_measuring = false;  // from estimate() until the result is taken
    double m_slowStepSeconds = kSlowStepSeconds;
    ft::TrainingConfig m_measuredConfig;
    ft::StepTimeEstimate m_measured;
    bool m_hasMeasurement = false;
    ft::StepTimeEstimate m_current;
    bool m_valid = false;
    qint64 m_emittedSteps = -1;
    double m_emittedSeconds = -1;
    QFutureWatcher<ft::StepTimeEstimate> m_watcher;
    std::shared_ptr<QString> m_error;

    QLabel *m_text = nullptr;
    QLabel *m_hint = nullptr;
    QPushButton *m_button = nullptr;
};

// The trainer's step arithmetic (no packing): steps for `examples` rows under `config`.
qint64 plannedSteps(const ft::TrainingConfig &config, qint64 examples);

} // namespace ftui
