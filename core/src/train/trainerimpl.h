// Trainer::Impl: what a Trainer holds between construction and run() (the model, the strategy,
// the tokenized data and its batch plan), shared by the files that make up the loop:
//   trainer.cpp            construction and the loop, top to bottom
//   trainerdata.cpp        rows -> examples (the stage's batch source: sft or pt)
//   trainerpreference.cpp  rows -> preference pairs (stages dpo / orpo)
//   trainercheckpoint.cpp  checkpoints written and resumed
//   trainereval.cpp        the validation loss
//   optimizergroups.h, earlystopping.h, metricslog.h, lrschedule.h: the loop's parts
#pragma once

#include "ft/model.h"
#include "ft/torchrun.h"
#include "ft/trainer.h"
#include "train/batchplan.h"
#include "train/flatbatch.h"
#include "train/preferenceloss.h"
#include "train/referencecache.h"
#include "train/trainablestrategy.h"
#include "train/trainingdata.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ft {

class DataParallel;
class ZeroStage1;
class EarlyStopping;
class OptimizerGroups;

// Where the loop stands in the data: optimiser steps done, the epoch and its next micro-batch.
struct TrainingPosition
{
    int64_t step = 0;
    int64_t epoch = 0;
    int64_t nextBatch = 0;
};

// The logging window (steps since the last metrics line): checkpointed so that a resumed run
// logs the same window means as an uninterrupted one.
struct LossWindow
{
    double lossSum = 0.0;
    int64_t steps = 0;
};

// The data rows of a run before they become examples.
struct DataRows
{
    std::vector<std::pair<nlohmann::json, std::string>> rows;  // record, or a parse error
    std::vector<bool> heldOut;    // in the validation split
    std::vector<int64_t> rowIds;  // project row ids (empty for a data file)
};

struct Trainer::Impl
{
    TrainingConfig config;
    std::filesystem::path outDir;
    std::filesystem::path resumeFrom;  // a checkpoint folder, or empty
    std::filesystem::path startWeights;  // a staged run's previous stage's weights, or empty
    std::unique_ptr<Model> model;
    std::unique_ptr<TrainableStrategy> strategy;  // declared after model: destroyed first
    std::vector<Example> examples;      // training rows (pt: pieces of documents)
    std::vector<Example> evalExamples;  // the validation split (val_size)
    std::vector<int64_t> evalRows;      // their data row indices
    std::vector<int64_t> trainRowIds, evalRowIds;  // project row ids (a project dataset only)
    // pt: the packed cutoff_len rows as example indices (one row = a batch-plan unit); empty for
    // sft, where the plan makes the units (one example each, or packing's bins).
    std::vector<std::vector<int64_t>> packedRows, packedEvalRows;
    // dpo / orpo: the pairs; examples[i] stands for pairs[i] in the batch plan (its ids are both
    // sequences' tokens, its labels none).
    std::vector<PreferencePair> pairs;
    ReferenceCache referenceCache;  // dpo: the pairs' reference log-probs, reused across epochs
    // The stage metrics' sums over the logging window (metrics.jsonl logs their window means).
    std::vector<std::pair<std::string, double>> stageWindow;
    std::string device = "cpu";
    int64_t badRows = 0;
    std::vector<std::string> dataLog;
    std::unique_ptr<BatchPlan> batchPlan;  // which examples form each micro-batch
    // torchrun: this process's place among several (trainerdistributed.cpp), else nothing.
    std::optional<TorchrunLaunch> launch;
    std::unique_ptr<DataParallel> dataParallel;  // joined when WORLD_SIZE > 1
    std::unique_ptr<ZeroStage1> zero;            // zero_stage 1 under torchrun (after dataParallel: uses it)
    // Micro-batches each rank takes per optimiser step (gradient_accumulation_steps, or what
    // keeps a resumed run's global batch under a different world size).
    int64_t accumulation = 1;
    int64_t microPerEpoch = 0;
    int64_t stepsPerEpoch = 0;
    int64_t totalSteps = 0;
    LossWindow window;

    int worldSize() const;
    int rank() const;
    // Rank 0 (or a single process): the one that writes the run folder and reports.
    bool writes() const { return rank() == 0; }
    int64_t microBatchesPerStep() const { return accumulation * worldSize(); }

    void log(TrainingObserver *observer, const std::string &text) const
    {
        if (observer && writes())
            observer->onLog(text);
    }

    // trainerdata.cpp: the stage's examples from config.data; problems appended.
    void loadData(std::vector<std::string> &problems);
    bool readDataRows(DataRows &data, std::vector<std::string> &problems);
    bool makeChatExamples(const DataRows &data, std::vector<std::string> &problems);  // sft
    void makeDocumentExamples(const DataRows &data);                                  // pt
    bool makePreferencePairs(const DataRows &data, std::vector<std::string> &problems); // dpo, orpo
    std::vector<PairRefs> pairBatches(const std::vector<ExampleRefs> &microBatches) const;
    void planBatches();
    std::vector<std::vector<int64_t>> epochBatches(int64_t epoch) const { return batchPlan->epoch(epoch); }
    // trainerdistributed.cpp: torchrun's environment read; after a torchrun restart the run
    // resumes from output_dir's latest checkpoint; the process group is joined.
    void readLaunch(const std::filesystem::path &resumeRunDir);
    void joinProcessGroup(std::vector<std::string> &problems);
    // The rank's share of a step's micro-batches (every worldSize-th, from its rank).
    std::vector<ExampleRefs> rankShare(std::vector<ExampleRefs> stepMicroBatches) const;
    // All ranks agree: stop when any rank was asked to.
    bool anyRankStops(bool stopHere) const;
    // Tests: FT_TEST_RANK_EXIT="RANK:STEP" ends that rank abruptly before step STEP + 1 (on
    // torchrun's first attempt only), as a crashed or killed process would; "RANK:STEP:hang"
    // keeps it alive but silent there.
    void exitIfTestAsks(int64_t step) const;
    // trainer.cpp: training_config.json, environment.json, data_rows.json, validation_set.jsonl.
    void writeRunFiles() const;

    // trainereval.cpp: token-weighted mean loss over the validation split (no grad, no dropout).
    double evaluate(int64_t &tokens) const;

    // trainercheckpoint.cpp. readResumeState: the checkpoint's trainer_state.json (null for a new
    // run), with the strategy's trainable set restored so that the optimizer can be built to fit.
    nlohmann::json readResumeState() const;
    // The weights, optimizer state, RNG, position, eval and logging state of the checkpoint.
    void resume(const nlohmann::json &state, TrainingPosition &at, OptimizerGroups &optimizer,
                EarlyStopping &evals);
    void saveCheckpoint(const TrainingPosition &at, OptimizerGroups &optimizer,
                        const EarlyStopping &evals, TrainingObserver *observer) const;
};

} // namespace ft
