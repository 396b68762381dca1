<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>DocumentSummary</name>
    <message numerus="yes">
        <source>&lt;b&gt;%n document(s)&lt;/b&gt;</source>
        <translation>
            <numerusform>&lt;b&gt;%n document&lt;/b&gt;</numerusform>
            <numerusform>&lt;b&gt;%n documents&lt;/b&gt;</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n empty</source>
        <translation>
            <numerusform>%n empty</numerusform>
            <numerusform>%n empty</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Boilerplate: %n line(s) repeated across many documents (%1 documents hold one):</source>
        <translation>
            <numerusform>Boilerplate: %n line repeated across many documents (%1 documents hold it):</numerusform>
            <numerusform>Boilerplate: %n lines repeated across many documents (%1 documents hold one):</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui</name>
    <message numerus="yes">
        <source>Mark %n row(s) %1</source>
        <translation>
            <numerusform>Mark %n row %1</numerusform>
            <numerusform>Mark %n rows %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::ComparePage</name>
    <message numerus="yes">
        <source>Dataset “%1”: %n pair(s) from the votes</source>
        <translation>
            <numerusform>Dataset “%1”: %n pair from the votes</numerusform>
            <numerusform>Dataset “%1”: %n pairs from the votes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> (%n tie(s) left out)</source>
        <translation>
            <numerusform> (%n tie left out)</numerusform>
            <numerusform> (%n ties left out)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::EvaluatePage</name>
    <message numerus="yes">
        <source>Compare with (%n)</source>
        <translation>
            <numerusform>Compare with (%n run)</numerusform>
            <numerusform>Compare with (%n runs)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::ExportPage</name>
    <message numerus="yes">
        <source>Wrote %1 (%n file(s)). Checked: %2</source>
        <translation>
            <numerusform>Wrote %1 (%n file). Checked: %2</numerusform>
            <numerusform>Wrote %1 (%n files). Checked: %2</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::ProjectRuns</name>
    <message numerus="yes">
        <source>finished, %Ln step(s)</source>
        <translation>
            <numerusform>finished, %Ln step</numerusform>
            <numerusform>finished, %Ln steps</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::RunControls</name>
    <message numerus="yes">
        <source>%Ln step(s), about %1 on this machine</source>
        <translation>
            <numerusform>%Ln step, about %1 on this machine</numerusform>
            <numerusform>%Ln steps, about %1 on this machine</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln step(s) planned</source>
        <translation>
            <numerusform>%Ln step planned</numerusform>
            <numerusform>%Ln steps planned</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::SettingsDialog</name>
    <message numerus="yes">
        <source>CPU threads for training and generation; this machine has %n logical core(s).</source>
        <translation>
            <numerusform>CPU threads for training and generation; this machine has %n logical core.</numerusform>
            <numerusform>CPU threads for training and generation; this machine has %n logical cores.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::StepTimeCard</name>
    <message numerus="yes">
        <source>%Ln step(s) planned.</source>
        <translation>
            <numerusform>%Ln step planned.</numerusform>
            <numerusform>%Ln steps planned.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::TrainPage</name>
    <message numerus="yes">
        <source>Finished: %Ln step(s)</source>
        <translation>
            <numerusform>Finished: %Ln step</numerusform>
            <numerusform>Finished: %Ln steps</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::ValidationRowPicker</name>
    <message numerus="yes">
        <source>A free prompt, or one of %n validation rows…</source>
        <translation>
            <numerusform>A free prompt, or the %n validation row…</numerusform>
            <numerusform>A free prompt, or one of %n validation rows…</numerusform>
        </translation>
    </message>
</context>
</TS>
