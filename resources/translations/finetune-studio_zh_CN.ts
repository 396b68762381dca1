<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DocumentSummary</name>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <source>Chinese and English</source>
        <translation>中英混合</translation>
    </message>
    <message>
        <source>other Latin-script</source>
        <translation>其他拉丁字母语言</translation>
    </message>
    <message>
        <source>mixed scripts</source>
        <translation>多种文字混合</translation>
    </message>
    <message>
        <source>no letters</source>
        <translation>无文字</translation>
    </message>
    <message>
        <source>other scripts</source>
        <translation>其他文字</translation>
    </message>
    <message numerus="yes">
        <source>&lt;b&gt;%n document(s)&lt;/b&gt;</source>
        <translation>
            <numerusform>&lt;b&gt;%n 篇文档&lt;/b&gt;</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens (mean %2 per document)</source>
        <translation>%1 个词元（平均每篇文档 %2 个）</translation>
    </message>
    <message>
        <source>about %1 tokens (estimated; mean %2 per document)</source>
        <translation>约 %1 个词元（估算；平均每篇文档 %2 个）</translation>
    </message>
    <message numerus="yes">
        <source>%n empty</source>
        <translation>
            <numerusform>%n 篇为空</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 exact copies, %2 near-duplicate clusters (%3 documents)</source>
        <translation>%1 篇完全重复的副本，%2 组近似重复（%3 篇文档）</translation>
    </message>
    <message>
        <source>languages: %1</source>
        <translation>语言：%1</translation>
    </message>
    <message>
        <source>in %1 % of the documents</source>
        <translation>出现在 %1 % 的文档中</translation>
    </message>
    <message numerus="yes">
        <source>Boilerplate: %n line(s) repeated across many documents (%1 documents hold one):</source>
        <translation>
            <numerusform>模板化文字：%n 行在许多文档中重复出现（%1 篇文档含有）：</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ExportPage</name>
    <message>
        <source>PEFT adapter (transformers + peft)</source>
        <translation>PEFT 适配器（transformers + peft）</translation>
    </message>
    <message>
        <source>Merged Hugging Face folder</source>
        <translation>合并后的 Hugging Face 文件夹</translation>
    </message>
    <message>
        <source>GGUF (llama.cpp), merged</source>
        <translation>GGUF（llama.cpp），合并后</translation>
    </message>
    <message>
        <source>llama.cpp LoRA adapter (GGUF)</source>
        <translation>llama.cpp LoRA 适配器（GGUF）</translation>
    </message>
    <message>
        <source>Ollama bundle (GGUF + Modelfile)</source>
        <translation>Ollama 包（GGUF + Modelfile）</translation>
    </message>
    <message>
        <source>Ollama bundle, base GGUF + LoRA adapter (LoRA runs)</source>
        <translation>Ollama 包，基座 GGUF + LoRA 适配器（LoRA 训练）</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>internal error: %1</source>
        <translation>内部错误：%1</translation>
    </message>
    <message>
        <source>The project is damaged</source>
        <translation>项目文件已损坏</translation>
    </message>
    <message>
        <source>%1

A backup taken when the project was last opened (%2) is beside it. Restore it? The damaged file is kept as %3.damaged; changes made after %2 are not in the backup.</source>
        <translation>%1

旁边有一份上次打开项目时（%2）留下的备份。要恢复它吗？损坏的文件会保留为 %3.damaged；%2 之后的更改不在备份中。</translation>
    </message>
    <message>
        <source>Cannot restore the backup</source>
        <translation>无法恢复备份</translation>
    </message>
    <message>
        <source>%1 is already open in another FineTune Studio (%2). Close it there first: two studios writing one project would lose work.</source>
        <translation>%1 已在另一个 FineTune Studio 中打开（%2）。请先在那里关闭：两个窗口同时写一个项目会丢失工作。</translation>
    </message>
    <message>
        <source>The project is open elsewhere</source>
        <translation>项目已在别处打开</translation>
    </message>
    <message>
        <source>Cannot open the project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <source>%1

A project is a .ftproj file made by FineTune Studio or finetune-cli.</source>
        <translation>%1

项目是由 FineTune Studio 或 finetune-cli 创建的 .ftproj 文件。</translation>
    </message>
    <message>
        <source>New Project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <source>FineTune projects (*.ftproj)</source>
        <translation>FineTune 项目 (*.ftproj)</translation>
    </message>
    <message>
        <source>Cannot create the project</source>
        <translation>无法创建项目</translation>
    </message>
    <message>
        <source>%1 exists and cannot be replaced.</source>
        <translation>%1 已存在，无法替换。</translation>
    </message>
    <message>
        <source>Open Project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <source>FineTune projects (*.ftproj);;All files (*)</source>
        <translation>FineTune 项目 (*.ftproj);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Edit Row %1</source>
        <translation>编辑第 %1 行</translation>
    </message>
    <message>
        <source>The original stays in the project; Undo (Ctrl+Z) or Revert brings it back.</source>
        <translation>原始内容保留在项目中；撤销（Ctrl+Z）或还原可以找回。</translation>
    </message>
    <message>
        <source>Split %1</source>
        <translation>划分 %1</translation>
    </message>
    <message>
        <source>Validation fraction:</source>
        <translation>验证集比例：</translation>
    </message>
    <message>
        <source>Test fraction:</source>
        <translation>测试集比例：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>The same seed gives the same split everywhere (CLI included).</source>
        <translation>相同的种子在任何地方（包括命令行）都得到相同的划分。</translation>
    </message>
    <message>
        <source>The demo data (veltra_support.jsonl) is not installed.</source>
        <translation>演示数据（veltra_support.jsonl）未安装。</translation>
    </message>
    <message>
        <source>Cannot create the demo project</source>
        <translation>无法创建演示项目</translation>
    </message>
    <message>
        <source>FineTune Studio User Guide</source>
        <translation>FineTune Studio 使用指南</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
</context>
<context>
    <name>TorchrunLauncher</name>
    <message>
        <source>PyTorch&apos;s torchrun was not found (next to the studio, in a .venv above it, or on PATH; FT_TORCHRUN names it). Install the torch package (pip install torch) to train with several processes.</source>
        <translation>未找到 PyTorch 的 torchrun（在本程序旁、上层目录的 .venv 中或 PATH 中均没有；可用 FT_TORCHRUN 指定）。请安装 torch 包（pip install torch）后再用多个进程训练。</translation>
    </message>
    <message>
        <source>finetune-cli was not found next to the studio (FT_CLI names it); each process of a several-process run is one finetune-cli.</source>
        <translation>本程序旁未找到 finetune-cli（可用 FT_CLI 指定）；多进程训练的每个进程都是一个 finetune-cli。</translation>
    </message>
</context>
<context>
    <name>ftui</name>
    <message numerus="yes">
        <source>Mark %n row(s) %1</source>
        <translation>
            <numerusform>将 %n 行标记为%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Edit row %1</source>
        <translation>编辑第 %1 行</translation>
    </message>
    <message>
        <source>Revert row %1</source>
        <translation>还原第 %1 行</translation>
    </message>
</context>
<context>
    <name>ftui::ChartToolbar</name>
    <message>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>Weight of the exponential moving average drawn over the raw loss (0: none, 0.99: very smooth)</source>
        <translation>叠加在原始损失上的指数移动平均权重（0：不平滑，0.99：非常平滑）</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export Chart</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Export Metrics</source>
        <translation>导出指标</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
</context>
<context>
    <name>ftui::ClusterRecipeDialog</name>
    <message>
        <source>Write a cluster recipe</source>
        <translation>编写集群训练方案</translation>
    </message>
    <message>
        <source>Writes this run for LLaMA-Factory on a cluster: its training YAML, the accepted training rows as JSONL, a DeepSpeed configuration and a README with the launch commands for one or several machines.</source>
        <translation>将本次训练写成可在集群上用 LLaMA-Factory 运行的方案：训练 YAML、已接受的训练行（JSONL）、DeepSpeed 配置，以及附有单机和多机启动命令的 README。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Folder to create:</source>
        <translation>要创建的文件夹：</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>ZeRO-2 (optimizer state and gradients sharded)</source>
        <translation>ZeRO-2（切分优化器状态和梯度）</translation>
    </message>
    <message>
        <source>ZeRO-3 (the weights sharded too, for models one GPU cannot hold)</source>
        <translation>ZeRO-3（连权重也切分，适用于单块 GPU 放不下的模型）</translation>
    </message>
    <message>
        <source>DeepSpeed:</source>
        <translation>DeepSpeed：</translation>
    </message>
    <message>
        <source>The model&apos;s name on the cluster (a Hugging Face hub id or a path there); empty: this machine&apos;s path.</source>
        <translation>模型在集群上的名称（Hugging Face Hub ID 或集群上的路径）；留空则使用本机路径。</translation>
    </message>
    <message>
        <source>Model on the cluster:</source>
        <translation>集群上的模型：</translation>
    </message>
    <message>
        <source>Write</source>
        <translation>写入</translation>
    </message>
    <message>
        <source>Where to create the recipe folder</source>
        <translation>选择创建方案文件夹的位置</translation>
    </message>
    <message>
        <source>this run</source>
        <translation>本次训练</translation>
    </message>
    <message>
        <source>Writing the rows… %p%</source>
        <translation>正在写入数据行… %p%</translation>
    </message>
    <message>
        <source>not enough memory to write the recipe</source>
        <translation>内存不足，无法写出集群配方</translation>
    </message>
</context>
<context>
    <name>ftui::ComparePage</name>
    <message>
        <source>Tuned: merged model %1</source>
        <translation>微调后：合并模型 %1</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Base and tuned answer the same prompt with the same decoding settings and seed.</source>
        <translation>基座模型与微调后模型用相同的解码设置和种子回答同一个提示。</translation>
    </message>
    <message>
        <source>Choose a finished run…</source>
        <translation>选择已完成的训练…</translation>
    </message>
    <message>
        <source>Adapter or Model Folder…</source>
        <translation>适配器或模型文件夹…</translation>
    </message>
    <message>
        <source>Tuned side</source>
        <translation>微调后一侧</translation>
    </message>
    <message>
        <source>Validation row</source>
        <translation>验证集行</translation>
    </message>
    <message>
        <source>A prompt both models answer…</source>
        <translation>两个模型都要回答的提示…</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>0 is greedy; both sides sample with the same seed.</source>
        <translation>0 为贪心解码；两侧用相同的种子采样。</translation>
    </message>
    <message>
        <source>Blind (hide and shuffle the sides)</source>
        <translation>盲测（隐藏并打乱两侧）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The sides are hidden and shuffled, and the answers come from a fresh seed you have not seen (stored with your verdict).</source>
        <translation>两侧被隐藏并打乱，回答使用一个你没见过的新种子（与你的评判一起保存）。</translation>
    </message>
    <message>
        <source>Max new tokens</source>
        <translation>最多新词元</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Reference (the row&apos;s answer)</source>
        <translation>参考答案（该行的回答）</translation>
    </message>
    <message>
        <source>A is better</source>
        <translation>A 更好</translation>
    </message>
    <message>
        <source>B is better</source>
        <translation>B 更好</translation>
    </message>
    <message>
        <source>Tie</source>
        <translation>平局</translation>
    </message>
    <message>
        <source>Note (optional): why?</source>
        <translation>备注（可选）：为什么？</translation>
    </message>
    <message>
        <source>Project…</source>
        <translation>项目…</translation>
    </message>
    <message>
        <source>The project file where verdicts are stored</source>
        <translation>保存评判结果的项目文件</translation>
    </message>
    <message>
        <source>Open the base model on the Model page first.</source>
        <translation>请先在“模型”页打开基座模型。</translation>
    </message>
    <message>
        <source>Base: %1 · choose the tuned side</source>
        <translation>基座：%1 · 请选择微调后一侧</translation>
    </message>
    <message>
        <source>Choose an Adapter or Merged Model Folder</source>
        <translation>选择适配器或合并模型文件夹</translation>
    </message>
    <message>
        <source>Open the base model on the Model page before choosing an adapter.</source>
        <translation>选择适配器之前，请先在“模型”页打开基座模型。</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Tuned: %1 adapter %2 on the same base weights</source>
        <translation>微调后：%1 适配器 %2，基于相同的基座权重</translation>
    </message>
    <message>
        <source>%1 has neither adapter_config.json (an adapter) nor config.json (a merged model).</source>
        <translation>%1 中既没有 adapter_config.json（适配器），也没有 config.json（合并模型）。</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Project for the Verdicts</source>
        <translation>保存评判的项目</translation>
    </message>
    <message>
        <source>FineTune projects (*.ftproj)</source>
        <translation>FineTune 项目 (*.ftproj)</translation>
    </message>
    <message>
        <source>This prompt was compared with the sides shown, and at temperature 0 the answers do not depend on the seed: the blind test would show the same pair again. Choose another prompt or a validation row, or a temperature above 0.</source>
        <translation>这个提示已在显示两侧的情况下对比过，而温度为 0 时回答与种子无关：盲测会再次显示同一对回答。请换一个提示或验证集行，或把温度设为大于 0。</translation>
    </message>
    <message>
        <source>%1 tokens · %2 tok/s</source>
        <translation>%1 个词元 · %2 词元/秒</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Tuned</source>
        <translation>微调后</translation>
    </message>
    <message>
        <source>Tuned · %1</source>
        <translation>微调后 · %1</translation>
    </message>
    <message>
        <source>A</source>
        <translation>A</translation>
    </message>
    <message>
        <source>B</source>
        <translation>B</translation>
    </message>
    <message>
        <source>A · %1</source>
        <translation>A · %1</translation>
    </message>
    <message>
        <source>A · Base</source>
        <translation>A · 基座</translation>
    </message>
    <message>
        <source>B · Base</source>
        <translation>B · 基座</translation>
    </message>
    <message>
        <source>B · %1</source>
        <translation>B · %1</translation>
    </message>
    <message>
        <source>Base</source>
        <translation>基座</translation>
    </message>
    <message>
        <source>No verdicts yet</source>
        <translation>尚无评判</translation>
    </message>
    <message>
        <source>Tuned wins %1 · ties %2 · base wins %3 (tuned %4 %)</source>
        <translation>微调后胜 %1 · 平局 %2 · 基座胜 %3（微调后 %4 %）</translation>
    </message>
    <message>
        <source>Make preference dataset from votes</source>
        <translation>由投票生成偏好数据集</translation>
    </message>
    <message>
        <source>Each blind vote with a winner becomes a pair (the prompt, the winning answer as chosen, the other as rejected; ties are left out) in a new project dataset, trainable with DPO or ORPO on the Train page.</source>
        <translation>每个分出胜负的盲测投票成为一对数据（提示、胜出的回答作为选中回答、另一个作为被拒回答；平局不计入），写入新的项目数据集，可在“训练”页用 DPO 或 ORPO 训练。</translation>
    </message>
    <message>
        <source>No project with blind votes yet: vote on a blind comparison first</source>
        <translation>还没有含盲测投票的项目：请先在盲测对比中投票</translation>
    </message>
    <message numerus="yes">
        <source>Dataset “%1”: %n pair(s) from the votes</source>
        <translation>
            <numerusform>数据集“%1”：由投票得到 %n 对</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> (%n tie(s) left out)</source>
        <translation>
            <numerusform>（%n 个平局未计入）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::DataPage</name>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Import data files into this project (Ctrl+I)</source>
        <translation>把数据文件导入此项目（Ctrl+I）</translation>
    </message>
    <message>
        <source>Split…</source>
        <translation>划分…</translation>
    </message>
    <message>
        <source>Assign the rows to train, validation and test</source>
        <translation>把各行分配到训练集、验证集和测试集</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>审查</translation>
    </message>
    <message>
        <source>Find duplicates, broken rows, outliers, rows over the cutoff and personal data (flags only; nothing is deleted)</source>
        <translation>查找重复、损坏的行、异常值、超出截断长度的行和个人信息（只做标记，不删除任何内容）</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Quality report</source>
        <translation>质量报告</translation>
    </message>
    <message>
        <source>%L1 rows</source>
        <translation>%L1 行</translation>
    </message>
    <message>
        <source>Some rows were skipped</source>
        <translation>部分行被跳过</translation>
    </message>
    <message>
        <source>%1 rows imported, %2 skipped. The first: %3 line %4: %5</source>
        <translation>已导入 %1 行，跳过 %2 行。第一处：%3 第 %4 行：%5</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>导入失败</translation>
    </message>
    <message>
        <source>Reviewing: %1</source>
        <translation>正在审查：%1</translation>
    </message>
    <message>
        <source>Review failed</source>
        <translation>审查失败</translation>
    </message>
    <message>
        <source>Reviewing…</source>
        <translation>正在审查…</translation>
    </message>
    <message>
        <source>Cannot open the project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Rename Dataset</source>
        <translation>重命名数据集</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Delete Dataset</source>
        <translation>删除数据集</translation>
    </message>
    <message>
        <source>Delete the dataset %1 with its %2 rows, their edits, findings and split from the project? The file it was imported from stays.</source>
        <translation>从项目中删除数据集 %1 及其 %2 行、编辑、审查结果和划分吗？导入时所用的原文件会保留。</translation>
    </message>
    <message>
        <source>Cannot rename the dataset</source>
        <translation>无法重命名数据集</translation>
    </message>
    <message>
        <source>Cannot delete the dataset</source>
        <translation>无法删除数据集</translation>
    </message>
    <message>
        <source>%L1 rows shown · %L2 accepted · %L3 excluded · saved automatically</source>
        <translation>显示 %L1 行 · 已接受 %L2 · 已排除 %L3 · 自动保存</translation>
    </message>
    <message>
        <source>Import a dataset to see its rows (Ctrl+I, or drop files on the window).</source>
        <translation>导入数据集以查看其中的行（Ctrl+I，或把文件拖到窗口上）。</translation>
    </message>
    <message>
        <source>Cannot change the rows</source>
        <translation>无法修改这些行</translation>
    </message>
    <message>
        <source>Cannot edit the row</source>
        <translation>无法编辑该行</translation>
    </message>
    <message>
        <source>Cannot split</source>
        <translation>无法划分</translation>
    </message>
    <message>
        <source>Validation and test together must be under 1.</source>
        <translation>验证集与测试集比例之和必须小于 1。</translation>
    </message>
    <message>
        <source>Import Dataset</source>
        <translation>导入数据集</translation>
    </message>
    <message>
        <source>Datasets are imported into a project. Create a new project now?</source>
        <translation>数据集需要导入到项目中。现在新建一个项目吗？</translation>
    </message>
    <message>
        <source>Import Data Files</source>
        <translation>导入数据文件</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>Data files (*.json *.jsonl *.ndjson *.csv *.tsv *.txt *.md *.html *.htm *.pdf *.docx);;All files (*)</source>
        <translation>数据文件 (*.json *.jsonl *.ndjson *.csv *.tsv *.txt *.md *.html *.htm *.pdf *.docx);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ftui::DatasetList</name>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>审查结果</translation>
    </message>
    <message>
        <source>Split (train / val / test)</source>
        <translation>划分（训练 / 验证 / 测试）</translation>
    </message>
    <message>
        <source>not split</source>
        <translation>未划分</translation>
    </message>
</context>
<context>
    <name>ftui::DatasetPicker</name>
    <message>
        <source>The project dataset to train on: its rows that are not excluded, with their edits; its train split trains and its validation split is evaluated.</source>
        <translation>用于训练的项目数据集：使用其未排除的行（含编辑）；训练集用于训练，验证集用于评估。</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Import a file first…</source>
        <translation>先导入一个文件…</translation>
    </message>
    <message>
        <source>Choose the dataset to train on.</source>
        <translation>选择要训练的数据集。</translation>
    </message>
    <message>
        <source>The project has no dataset yet: import one.</source>
        <translation>项目中还没有数据集：请导入一个。</translation>
    </message>
    <message>
        <source>Trains on the %1 train rows, evaluates on the %2 validation rows (%3 excluded rows left out).</source>
        <translation>在 %1 行训练集上训练，在 %2 行验证集上评估（不含 %3 行已排除的行）。</translation>
    </message>
    <message>
        <source>Not split: trains on all %1 rows that are not excluded, with no validation. Split it on the Data page to evaluate.</source>
        <translation>未划分：在全部 %1 行未排除的行上训练，不做验证。在“数据”页划分后即可评估。</translation>
    </message>
</context>
<context>
    <name>ftui::EnumText</name>
    <message>
        <source>pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>excluded</source>
        <translation>已排除</translation>
    </message>
    <message>
        <source>sft</source>
        <comment>row kind: instruction and answer</comment>
        <translation>指令</translation>
    </message>
    <message>
        <source>preference</source>
        <comment>row kind</comment>
        <translation>偏好</translation>
    </message>
    <message>
        <source>choice</source>
        <comment>row kind</comment>
        <translation>选择题</translation>
    </message>
    <message>
        <source>text</source>
        <comment>row kind: plain text</comment>
        <translation>纯文本</translation>
    </message>
    <message>
        <source>fits</source>
        <comment>memory</comment>
        <translation>够用</translation>
    </message>
    <message>
        <source>tight</source>
        <comment>memory</comment>
        <translation>紧张</translation>
    </message>
    <message>
        <source>does not fit</source>
        <comment>memory</comment>
        <translation>不够</translation>
    </message>
</context>
<context>
    <name>ftui::EvaluatePage</name>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>The tuned run: its adapter is evaluated beside the base model</source>
        <translation>微调训练：用它的适配器与基座模型对照评估</translation>
    </message>
    <message>
        <source>MMLU / C-Eval / CMMLU folder or a JSONL file</source>
        <translation>MMLU / C-Eval / CMMLU 文件夹或 JSONL 文件</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Benchmark folder</source>
        <translation>基准文件夹</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Run benchmark</source>
        <translation>运行基准测试</translation>
    </message>
    <message>
        <source>Score base and tuned on the same questions</source>
        <translation>在相同的题目上为基座模型和微调后模型评分</translation>
    </message>
    <message>
        <source>Benchmark</source>
        <translation>基准</translation>
    </message>
    <message>
        <source>Shots</source>
        <translation>示例数</translation>
    </message>
    <message>
        <source>Questions per subject</source>
        <translation>每科题数</translation>
    </message>
    <message>
        <source>General ability</source>
        <translation>通用能力</translation>
    </message>
    <message>
        <source>Run domain test</source>
        <translation>运行领域测试</translation>
    </message>
    <message>
        <source>Generate base and tuned answers for the split and score them</source>
        <translation>让基座模型和微调后模型回答该划分中的行，并为回答评分</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>划分</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <source>Max new tokens</source>
        <translation>最多新词元</translation>
    </message>
    <message>
        <source>Domain test</source>
        <translation>领域测试</translation>
    </message>
    <message>
        <source>Save report…</source>
        <translation>保存报告…</translation>
    </message>
    <message>
        <source>The model, the run, its data and the matrix as HTML or PDF</source>
        <translation>将模型、训练、数据和评估矩阵保存为 HTML 或 PDF</translation>
    </message>
    <message>
        <source>Tuned run</source>
        <translation>微调训练</translation>
    </message>
    <message>
        <source>Stored as evaluation %1 in the project.</source>
        <translation>已作为评估 %1 保存到项目中。</translation>
    </message>
    <message>
        <source>Cancelled; nothing was stored.</source>
        <translation>已取消；未保存任何内容。</translation>
    </message>
    <message>
        <source>Open a project and a model first.</source>
        <translation>请先打开项目和模型。</translation>
    </message>
    <message>
        <source>Choose a benchmark folder or file.</source>
        <translation>请选择基准文件夹或文件。</translation>
    </message>
    <message>
        <source>benchmark</source>
        <translation>基准测试</translation>
    </message>
    <message>
        <source>Scoring the base model…</source>
        <translation>正在为基座模型评分…</translation>
    </message>
    <message>
        <source>Scoring tuned, then base…</source>
        <translation>正在为微调后模型评分，随后是基座模型…</translation>
    </message>
    <message>
        <source>Split a dataset on the Data page first: the test uses its validation or test rows.</source>
        <translation>请先在“数据”页划分数据集：测试使用其验证集或测试集的行。</translation>
    </message>
    <message>
        <source>domain test</source>
        <translation>领域测试</translation>
    </message>
    <message>
        <source>Generating base and tuned answers…</source>
        <translation>正在生成基座模型和微调后模型的回答…</translation>
    </message>
    <message>
        <source>Evaluation report</source>
        <translation>评估报告</translation>
    </message>
    <message>
        <source>Report saved to %1</source>
        <translation>报告已保存到 %1</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>保存报告</translation>
    </message>
    <message>
        <source>HTML (*.html);;PDF (*.pdf)</source>
        <translation>HTML 文件 (*.html);;PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Compare with</source>
        <translation>对比其他训练</translation>
    </message>
    <message>
        <source>Show other runs&apos; results beside the chosen run&apos;s</source>
        <translation>在所选训练旁显示其他训练的评估结果</translation>
    </message>
    <message numerus="yes">
        <source>Compare with (%n)</source>
        <translation>
            <numerusform>对比其他训练（%n）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::EvaluationMatrixView</name>
    <message>
        <source>Part</source>
        <translation>部分</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Base</source>
        <translation>基座</translation>
    </message>
    <message>
        <source>Tuned</source>
        <translation>微调后</translation>
    </message>
    <message>
        <source>Difference [95 % interval]</source>
        <translation>差值 [95 % 置信区间]</translation>
    </message>
    <message>
        <source>n</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>参考答案</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>win rate %1 [%2, %3], sign test p %4</source>
        <translation>胜率 %1 [%2, %3]，符号检验 p %4</translation>
    </message>
    <message>
        <source>base</source>
        <translation>基座</translation>
    </message>
    <message>
        <source>tuned</source>
        <translation>微调后</translation>
    </message>
    <message>
        <source>tuned − base (points, 95 % interval)</source>
        <translation>微调后 − 基座（百分点，95 % 置信区间）</translation>
    </message>
    <message>
        <source>%1 − base [95 % interval]</source>
        <translation>%1 − 基座 [95 % 置信区间]</translation>
    </message>
</context>
<context>
    <name>ftui::EvaluationRunner</name>
    <message>
        <source>%1 %2/%3, ETA %4 s</source>
        <translation>%1 %2/%3，预计剩余 %4 秒</translation>
    </message>
    <message>
        <source>questions</source>
        <translation>题目</translation>
    </message>
    <message>
        <source>passes</source>
        <translation>推理</translation>
    </message>
    <message>
        <source>not enough memory for this evaluation</source>
        <translation>内存不足，无法完成此次评估</translation>
    </message>
</context>
<context>
    <name>ftui::ExportPage</name>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Write a run as files the rest of the ecosystem loads. The export is checked (read back, logits compared) before it is moved into place.</source>
        <translation>将一次训练写成生态中其他工具可加载的文件。导出内容在移动到目标位置之前会经过检查（读回并比较 logits）。</translation>
    </message>
    <message>
        <source>Folder to create</source>
        <translation>要创建的文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Replace the folder if it exists (once the new one is complete)</source>
        <translation>如果文件夹已存在则替换（在新文件夹完成之后）</translation>
    </message>
    <message>
        <source>Run:</source>
        <translation>训练：</translation>
    </message>
    <message>
        <source>Weights:</source>
        <translation>权重：</translation>
    </message>
    <message>
        <source>Target:</source>
        <translation>目标：</translation>
    </message>
    <message>
        <source>GGUF type:</source>
        <translation>GGUF 类型：</translation>
    </message>
    <message>
        <source>Destination:</source>
        <translation>目标位置：</translation>
    </message>
    <message>
        <source>How to use it</source>
        <translation>使用方法</translation>
    </message>
    <message>
        <source>The commands that load the export appear here.</source>
        <translation>加载导出结果的命令会显示在这里。</translation>
    </message>
    <message>
        <source>Open Folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Folder to export into</source>
        <translation>导出到的文件夹</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>已取消；未写入任何内容。</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>No run to export yet: train one on the Train page.</source>
        <translation>还没有可导出的训练：请先在“训练”页训练一次。</translation>
    </message>
    <message>
        <source>final model</source>
        <translation>最终模型</translation>
    </message>
    <message>
        <source>checkpoint at step %1</source>
        <translation>第 %1 步的检查点</translation>
    </message>
    <message>
        <source>size unknown</source>
        <translation>大小未知</translation>
    </message>
    <message>
        <source>%1 — about %2</source>
        <translation>%1 — 约 %2</translation>
    </message>
    <message>
        <source>Choose a run that has a final model or a checkpoint.</source>
        <translation>请选择一个有最终模型或检查点的训练。</translation>
    </message>
    <message>
        <source>Choose the folder to create.</source>
        <translation>请选择要创建的文件夹。</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %1 (%n file(s)). Checked: %2</source>
        <translation>
            <numerusform>已写入 %1（%n 个文件）。检查结果：%2</numerusform>
        </translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
</context>
<context>
    <name>ftui::ExportRunner</name>
    <message>
        <source>not enough memory for this export</source>
        <translation>内存不足，无法完成此次导出</translation>
    </message>
</context>
<context>
    <name>ftui::FindingText</name>
    <message>
        <source>e-mail address</source>
        <translation>电子邮件地址</translation>
    </message>
    <message>
        <source>phone number</source>
        <translation>电话号码</translation>
    </message>
    <message>
        <source>mobile number</source>
        <translation>手机号码</translation>
    </message>
    <message>
        <source>identity card number</source>
        <translation>身份证号码</translation>
    </message>
    <message>
        <source>bank card number</source>
        <translation>银行卡号</translation>
    </message>
    <message>
        <source>IP address</source>
        <translation>IP 地址</translation>
    </message>
    <message>
        <source>Personal data</source>
        <translation>个人信息</translation>
    </message>
    <message>
        <source>Personal data: %1</source>
        <translation>个人信息：%1</translation>
    </message>
    <message>
        <source>Exact duplicates</source>
        <translation>完全重复</translation>
    </message>
    <message>
        <source>Near duplicates</source>
        <translation>近似重复</translation>
    </message>
    <message>
        <source>Same text in training and test rows</source>
        <translation>训练集与测试集中有相同文本</translation>
    </message>
    <message>
        <source>Empty fields</source>
        <translation>空字段</translation>
    </message>
    <message>
        <source>Broken conversations</source>
        <translation>对话结构损坏</translation>
    </message>
    <message>
        <source>Much shorter answers than the rest</source>
        <translation>回答明显比其余的短</translation>
    </message>
    <message>
        <source>Much longer than the rest of the data</source>
        <translation>明显比其余数据长</translation>
    </message>
    <message>
        <source>Cut off at the cutoff length</source>
        <translation>超出截断长度被截断</translation>
    </message>
    <message>
        <source>Answer repeats the question</source>
        <translation>回答重复了问题</translation>
    </message>
    <message>
        <source>Garbled characters</source>
        <translation>乱码</translation>
    </message>
    <message>
        <source>Invisible control characters</source>
        <translation>不可见的控制字符</translation>
    </message>
    <message>
        <source>Another language or script</source>
        <translation>混入其他语言或文字</translation>
    </message>
    <message>
        <source>Rows with the same text as an earlier row (ignoring case and spacing). The first of each group is kept unflagged; the copies train the model on the same example again.</source>
        <translation>与前面某行文本相同的行（忽略大小写和空白）。每组的第一行不标记；副本会让模型在同一个样本上重复训练。</translation>
    </message>
    <message>
        <source>Rows that share at least %1 % of their text with another row (small edits of the same example). The first of each group is kept unflagged.</source>
        <translation>与另一行至少有 %1 % 文本相同的行（同一样本的小改动）。每组的第一行不标记。</translation>
    </message>
    <message>
        <source>A validation or test row that is the same as, or nearly the same as, a training row: the model has seen it, so it measures memory rather than skill.</source>
        <translation>验证集或测试集中与训练集某行相同或几乎相同的行：模型已经见过它，测出的是记忆而不是能力。</translation>
    </message>
    <message>
        <source>A question or answer with no text. An empty answer teaches the model to say nothing.</source>
        <translation>没有文本的问题或回答。空回答会教模型什么都不说。</translation>
    </message>
    <message>
        <source>A conversation whose turns are out of order: no answer at all, the assistant speaking first, two questions or two answers in a row, or ending on a question.</source>
        <translation>轮次顺序错乱的对话：完全没有回答、助手先发言、连续两个问题或两个回答，或以问题结尾。</translation>
    </message>
    <message>
        <source>Long compared with the other rows of this dataset, not with the cutoff: answers over %1 characters (most answers here have about %2), or questions over %3 characters. Worth a look: a pasted document or a run-on answer. Rows over the cutoff are a separate finding.</source>
        <translation>与本数据集其他行相比偏长（不是与截断长度相比）：回答超过 %1 个字符（这里多数回答约 %2 个），或问题超过 %3 个字符。值得看一眼：可能是粘贴进来的文档或冗长的回答。超出截断长度的行另列一项。</translation>
    </message>
    <message>
        <source>Answers under %1 characters, when most answers here have about %2: often placeholders or answers that were cut short.</source>
        <translation>回答不足 %1 个字符，而这里多数回答约 %2 个：常见于占位文本或被截短的回答。</translation>
    </message>
    <message>
        <source>Rows longer than the cutoff of %1 tokens: training sees only their first %1 tokens, so the end of the answer is lost (a row with no answer left is skipped). %2 rows are over.</source>
        <translation>超过 %1 个词元截断长度的行：训练只看到前 %1 个词元，回答的结尾会丢失（回答被完全截掉的行会被跳过）。共有 %2 行超出。</translation>
    </message>
    <message>
        <source>The answer is the question again, starts with the whole question, or copies nine tenths of its word sequences from it. Copy-editing tasks do this on purpose.</source>
        <translation>回答就是问题本身、以整个问题开头，或九成的词序列抄自问题。文字编辑类任务是有意如此。</translation>
    </message>
    <message>
        <source>Text decoded with the wrong encoding (such as &quot;Ã©&quot; for &quot;é&quot; or &quot;锟斤拷&quot;), or replacement characters: the original characters are lost.</source>
        <translation>用错误编码解码的文本（如把“é”显示为“Ã©”，或“锟斤拷”），或替换字符：原来的字符已经丢失。</translation>
    </message>
    <message>
        <source>Invisible control characters (other than tab and line breaks), usually left over from copying or conversion.</source>
        <translation>不可见的控制字符（制表符和换行除外），通常是复制或转换时遗留的。</translation>
    </message>
    <message>
        <source>Text in a writing system this dataset is not written in (the dataset is mostly %1): a row in another language, or a few words of another script in it, such as Cyrillic inside Chinese, or accented Latin letters that are really garbled characters. English terms and code inside non-Latin text are normal and not counted. For information only: translation tasks do this on purpose.</source>
        <translation>使用了本数据集所用文字以外的书写系统（本数据集主要是 %1）：整行是另一种语言，或夹杂几个其他文字的词，例如中文里的西里尔字母，或其实是乱码的带重音拉丁字母。非拉丁文字中的英文术语和代码属正常情况，不计入。仅供参考：翻译类任务是有意如此。</translation>
    </message>
    <message>
        <source>Personal data such as e-mail addresses, phone numbers, identity card or bank card numbers (checked with their check digits) and IP addresses. A model can repeat what it was trained on.</source>
        <translation>个人信息，如电子邮件地址、电话号码、身份证号或银行卡号（已用校验位核对）以及 IP 地址。模型可能复述它训练过的内容。</translation>
    </message>
    <message>
        <source>%1 points off</source>
        <translation>扣 %1 分</translation>
    </message>
    <message>
        <source>Varied answers: %1 % of the word pairs in the answers are different ones; under 50 % costs up to %2 points: %3.</source>
        <translation>回答的多样性：回答中 %1 % 的词对互不相同；低于 50 % 最多扣 %2 分：%3。</translation>
    </message>
    <message>
        <source>Repetitive questions: %1 % of the questions start with the same two words; over 10 % costs up to %2 points: %3.</source>
        <translation>问题的重复度：%1 % 的问题以相同的两个词开头；超过 10 % 最多扣 %2 分：%3。</translation>
    </message>
    <message>
        <source>of the rows are exact or near duplicates</source>
        <translation>的行完全重复或近似重复</translation>
    </message>
    <message>
        <source>of the rows have empty fields or broken conversations</source>
        <translation>的行有空字段或对话结构损坏</translation>
    </message>
    <message>
        <source>of the rows repeat across training and test</source>
        <translation>的行在训练集和测试集中重复出现</translation>
    </message>
    <message>
        <source>of the rows are longer than the cutoff</source>
        <translation>的行超出截断长度</translation>
    </message>
    <message>
        <source>of the rows contain personal data</source>
        <translation>的行含有个人信息</translation>
    </message>
    <message>
        <source>of the rows have garbled or control characters</source>
        <translation>的行含有乱码或控制字符</translation>
    </message>
    <message>
        <source>of the answers repeat their question</source>
        <translation>的回答重复了问题</translation>
    </message>
    <message>
        <source>of the rows are much shorter or longer than the rest</source>
        <translation>的行明显比其余的短或长</translation>
    </message>
    <message>
        <source>%1 % %2: %3 (at most %4).</source>
        <translation>%1 % %2：%3（最多扣 %4 分）。</translation>
    </message>
</context>
<context>
    <name>ftui::FreezeOptionsPanel</name>
    <message>
        <source>Last N blocks</source>
        <translation>最后 N 个块</translation>
    </message>
    <message>
        <source>First N blocks</source>
        <translation>最前 N 个块</translation>
    </message>
    <message>
        <source>Listed blocks</source>
        <translation>指定的块</translation>
    </message>
    <message>
        <source>e.g. 0, 5, 6</source>
        <translation>例如 0, 5, 6</translation>
    </message>
    <message>
        <source>regexes on parameter names</source>
        <translation>匹配参数名的正则表达式</translation>
    </message>
    <message>
        <source>Trainable blocks</source>
        <translation>可训练的块</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Blocks</source>
        <translation>块</translation>
    </message>
    <message>
        <source>Parts</source>
        <translation>部件</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>MLP</source>
        <translation>MLP</translation>
    </message>
    <message>
        <source>Norms</source>
        <translation>归一化</translation>
    </message>
    <message>
        <source>Also</source>
        <translation>另外</translation>
    </message>
    <message>
        <source>Embeddings</source>
        <translation>词嵌入</translation>
    </message>
    <message>
        <source>Final norm</source>
        <translation>最终归一化</translation>
    </message>
    <message>
        <source>lm_head</source>
        <translation>lm_head</translation>
    </message>
    <message>
        <source>Patterns</source>
        <translation>匹配模式</translation>
    </message>
    <message>
        <source>Click a tile, a block&apos;s name or drag across the map to freeze or unfreeze parts.</source>
        <translation>点击图块、块名，或在图上拖动，即可冻结或解冻相应部分。</translation>
    </message>
</context>
<context>
    <name>ftui::Ia3OptionsPanel</name>
    <message>
        <source>peft defaults (k_proj, v_proj, down_proj)</source>
        <translation>peft 默认值（k_proj, v_proj, down_proj）</translation>
    </message>
    <message>
        <source>peft defaults (down_proj)</source>
        <translation>peft 默认值（down_proj）</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>目标模块</translation>
    </message>
    <message>
        <source>Feed-forward</source>
        <translation>前馈层</translation>
    </message>
    <message>
        <source>IA3 learns one scaling vector per target: the fewest parameters of the adapter methods.</source>
        <translation>IA3 为每个目标模块学习一个缩放向量：是各种适配器方法中参数最少的。</translation>
    </message>
</context>
<context>
    <name>ftui::ImportDialog</name>
    <message>
        <source>Import Dataset</source>
        <translation>导入数据集</translation>
    </message>
    <message>
        <source>Add Files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Detect automatically</source>
        <translation>自动识别</translation>
    </message>
    <message>
        <source>Files:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Dataset name:</source>
        <translation>数据集名称：</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Detected:</source>
        <translation>识别结果：</translation>
    </message>
    <message>
        <source>Column in the file</source>
        <translation>文件中的列</translation>
    </message>
    <message>
        <source>Read as</source>
        <translation>读作</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Column mapping (rename a column to the field it holds)</source>
        <translation>列映射（把列重命名为它所存放的字段）</translation>
    </message>
    <message>
        <source>Preview: the first rows as they will be imported</source>
        <translation>预览：前几行导入后的样子</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Add Data Files</source>
        <translation>添加数据文件</translation>
    </message>
    <message>
        <source>Add a file to see its format.</source>
        <translation>添加文件后可查看其格式。</translation>
    </message>
    <message>
        <source>Cannot read: %1</source>
        <translation>无法读取：%1</translation>
    </message>
    <message>
        <source>Unknown format — %1. Map the columns or choose a format.</source>
        <translation>未知格式 — %1。请映射列或选择格式。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · %2% confidence · %3 file — %4</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · 置信度 %2% · %3 文件 — %4</translation>
    </message>
    <message>
        <source>Add Folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>A folder of documents (.txt, .md, .html, .pdf, .docx): a document per file, for continued pre-training</source>
        <translation>文档文件夹（.txt、.md、.html、.pdf、.docx）：每个文件一篇文档，用于继续预训练</translation>
    </message>
    <message>
        <source>Add a Folder of Documents</source>
        <translation>添加文档文件夹</translation>
    </message>
    <message>
        <source>Data files (*.json *.jsonl *.ndjson *.csv *.tsv *.txt *.md *.html *.htm *.pdf *.docx);;All files (*)</source>
        <translation>数据文件 (*.json *.jsonl *.ndjson *.csv *.tsv *.txt *.md *.html *.htm *.pdf *.docx);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ftui::ImportRunner</name>
    <message>
        <source>not enough memory for this import</source>
        <translation>内存不足，无法完成此次导入</translation>
    </message>
</context>
<context>
    <name>ftui::JobProgress</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the import; nothing is written</source>
        <translation>停止导入；不会写入任何内容</translation>
    </message>
</context>
<context>
    <name>ftui::LanguageMenu</name>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System Language</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Change the language</source>
        <translation>切换语言</translation>
    </message>
    <message>
        <source>The new language is used when FineTune Studio starts again. Restart now? Your project is saved as you work.</source>
        <translation>新语言将在 FineTune Studio 下次启动时生效。现在重新启动吗？项目随时自动保存。</translation>
    </message>
</context>
<context>
    <name>ftui::LayerMap</name>
    <message>
        <source>Embeddings</source>
        <translation>词嵌入</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>MLP</source>
        <translation>MLP</translation>
    </message>
    <message>
        <source>Norms</source>
        <translation>归一化</translation>
    </message>
    <message>
        <source>Final norm</source>
        <translation>最终归一化</translation>
    </message>
    <message>
        <source>lm_head</source>
        <translation>lm_head</translation>
    </message>
    <message>
        <source>Open a model to see its layers</source>
        <translation>打开模型以查看其各层</translation>
    </message>
    <message>
        <source>Block %1</source>
        <translation>块 %1</translation>
    </message>
    <message>
        <source>tied</source>
        <translation>共享</translation>
    </message>
    <message>
        <source>+%1</source>
        <translation>+%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; · %2 parameters</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; · %2 个参数</translation>
    </message>
    <message>
        <source>base weights frozen</source>
        <translation>基座权重冻结</translation>
    </message>
    <message>
        <source>trains (%1)</source>
        <translation>训练（%1）</translation>
    </message>
    <message>
        <source>frozen</source>
        <translation>冻结</translation>
    </message>
    <message>
        <source>&lt;br&gt;joins at stage %1</source>
        <translation>&lt;br&gt;第 %1 阶段加入训练</translation>
    </message>
    <message>
        <source>&lt;br&gt;LoRA on %1 (%2 parameters)</source>
        <translation>&lt;br&gt;LoRA 作用于 %1 个模块（%2 个参数）</translation>
    </message>
    <message>
        <source>&lt;br&gt;IA3 vectors on %1 (%2 parameters)</source>
        <translation>&lt;br&gt;IA3 向量作用于 %1 个模块（%2 个参数）</translation>
    </message>
    <message>
        <source>&lt;br&gt;virtual tokens (%1 parameters)</source>
        <translation>&lt;br&gt;虚拟词元（%1 个参数）</translation>
    </message>
    <message>
        <source>&lt;br&gt;base kept as %1, dequantised on the fly</source>
        <translation>&lt;br&gt;基座以 %1 格式保存，训练时逐层即时反量化</translation>
    </message>
</context>
<context>
    <name>ftui::LayerMapPanel</name>
    <message>
        <source>Frozen</source>
        <translation>冻结</translation>
    </message>
    <message>
        <source>Trainable</source>
        <translation>可训练</translation>
    </message>
    <message>
        <source>LoRA / adapter</source>
        <translation>LoRA / 适配器</translation>
    </message>
    <message>
        <source>Later stage</source>
        <translation>后续阶段</translation>
    </message>
    <message>
        <source>lm_head on top, embeddings at the bottom</source>
        <translation>顶部为 lm_head，底部为词嵌入</translation>
    </message>
</context>
<context>
    <name>ftui::LoraOptionsPanel</name>
    <message>
        <source>Rank r</source>
        <translation>秩 r</translation>
    </message>
    <message>
        <source>Alpha</source>
        <translation>Alpha</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>目标模块</translation>
    </message>
    <message>
        <source>all-linear (every projection)</source>
        <translation>all-linear（所有投影层）</translation>
    </message>
    <message>
        <source>Click the module chips on the map to add or remove targets. Each target adds r × (in + out) parameters per block.</source>
        <translation>点击图上的模块标签来添加或移除目标。每个目标在每个块中增加 r × (输入 + 输出) 个参数。</translation>
    </message>
</context>
<context>
    <name>ftui::MainWindow</name>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Import, review and split datasets (Ctrl+1)</source>
        <translation>导入、审查和划分数据集（Ctrl+1）</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Open a Hugging Face folder or a GGUF file</source>
        <translation>打开 Hugging Face 文件夹或 GGUF 文件</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Choose how to fine-tune on a map of the model&apos;s layers</source>
        <translation>在模型各层的图上选择微调方式</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Train on a background thread and watch the curves</source>
        <translation>在后台线程训练并观察曲线</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Base and tuned answers side by side, with blind rating</source>
        <translation>并排对比基座模型与微调后模型的回答，可盲测评分</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New Project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <source>Open &amp;Project…</source>
        <translation>打开项目(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Import Dataset…</source>
        <translation>导入数据集(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Open Model Folder…</source>
        <translation>打开模型文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;GGUF File…</source>
        <translation>打开 GGUF 文件(&amp;G)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About FineTune Studio</source>
        <translation>关于 FineTune Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <source>No model open</source>
        <translation>未打开模型</translation>
    </message>
    <message>
        <source>%1 · %2 parameters</source>
        <translation>%1 · %2 个参数</translation>
    </message>
    <message>
        <source>No project</source>
        <translation>无项目</translation>
    </message>
    <message>
        <source>Project %1 · saved automatically</source>
        <translation>项目 %1 · 自动保存</translation>
    </message>
    <message>
        <source>Training Is Running</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <source>Stop training and close? The run stops after the current step and writes a checkpoint you can resume from.</source>
        <translation>停止训练并关闭吗？训练会在当前步结束后停止，并写入一个可以继续训练的检查点。</translation>
    </message>
    <message>
        <source>Stopping training, then closing…</source>
        <translation>正在停止训练，随后关闭…</translation>
    </message>
    <message>
        <source>%1 (%2 at step %3)</source>
        <translation>%1（第 %3 步时%2）</translation>
    </message>
    <message>
        <source>crashed</source>
        <translation>崩溃</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>About FineTune Studio</source>
        <translation>关于 FineTune Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;FineTune Studio %1&lt;/h3&gt;&lt;p&gt;Fine-tune language models on your own workstation.&lt;/p&gt;&lt;p&gt;Engine: %2&lt;br&gt;Qt %3&lt;/p&gt;</source>
        <translation>&lt;h3&gt;FineTune Studio %1&lt;/h3&gt;&lt;p&gt;在自己的工作站上微调语言模型。&lt;/p&gt;&lt;p&gt;引擎：%2&lt;br&gt;Qt %3&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Benchmarks and domain tests, base against tuned, and the report</source>
        <translation>基准与领域测试，基座模型与微调后模型对照，以及评估报告</translation>
    </message>
    <message>
        <source>Open the &amp;Demo Project</source>
        <translation>打开演示项目(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;User Guide</source>
        <translation>使用指南(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Write a run as a PEFT adapter, merged model, GGUF or Ollama bundle</source>
        <translation>将训练导出为 PEFT 适配器、合并后的模型、GGUF 或 Ollama 包</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Import a Folder of &amp;Documents…</source>
        <translation>导入文档文件夹(&amp;D)…</translation>
    </message>
    <message>
        <source>Import a Folder of Documents</source>
        <translation>导入文档文件夹</translation>
    </message>
</context>
<context>
    <name>ftui::MemoryEstimateCard</name>
    <message>
        <source>%1 GiB</source>
        <translation>%1 GiB</translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <source>Full fine-tuning</source>
        <translation>全量微调</translation>
    </message>
    <message>
        <source>Freeze (¼ trains)</source>
        <translation>冻结微调（训练 ¼）</translation>
    </message>
    <message>
        <source>LoRA r 8 (q, v)</source>
        <translation>LoRA r 8（q, v）</translation>
    </message>
    <message>
        <source>IA3</source>
        <translation>IA3</translation>
    </message>
    <message>
        <source>Prompt tuning (20)</source>
        <translation>提示微调（20）</translation>
    </message>
    <message>
        <source>Open a model to see how much memory training it takes.</source>
        <translation>打开模型以查看训练它需要多少内存。</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Trainable</source>
        <translation>可训练</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Gradients</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>Activations</source>
        <translation>激活值</translation>
    </message>
    <message>
        <source>%1 of %2 %3 (%4 %)</source>
        <translation>%1 / %2 %3（%4 %）</translation>
    </message>
    <message>
        <source>GPU memory</source>
        <translation>显存</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Batch %1 × cutoff %2 tokens, fp32 on the CPU (AdamW keeps two fp32 values per trainable parameter). This machine: %3 RAM%4. Tight: over 80 %.</source>
        <translation>批大小 %1 × 截断长度 %2 个词元，CPU 上用 fp32（AdamW 为每个可训练参数保存两个 fp32 值）。本机：%3 内存%4。紧张：超过 80 %。</translation>
    </message>
    <message>
        <source>, %1 GPU memory</source>
        <translation>，%1 显存</translation>
    </message>
    <message>
        <source>, no GPU</source>
        <translation>，无 GPU</translation>
    </message>
</context>
<context>
    <name>ftui::ModelLoader</name>
    <message>
        <source>%1: not enough memory to load this model</source>
        <translation>%1：内存不足，无法加载此模型</translation>
    </message>
    <message>
        <source>%1: internal error: %2</source>
        <translation>%1：内部错误：%2</translation>
    </message>
    <message>
        <source>%1: unknown internal error</source>
        <translation>%1：未知的内部错误</translation>
    </message>
</context>
<context>
    <name>ftui::ModelPage</name>
    <message>
        <source>Memory to fine-tune</source>
        <translation>微调所需内存</translation>
    </message>
    <message>
        <source>Pick a Hugging Face folder with config.json and *.safetensors, or a .gguf file.</source>
        <translation>选择含有 config.json 和 *.safetensors 的 Hugging Face 文件夹，或一个 .gguf 文件。</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Model Folder…</source>
        <translation>模型文件夹…</translation>
    </message>
    <message>
        <source>GGUF File…</source>
        <translation>GGUF 文件…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>No model path given.</source>
        <translation>未指定模型路径。</translation>
    </message>
    <message>
        <source>%1: no such file or folder</source>
        <translation>%1：文件或文件夹不存在</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>Open GGUF File</source>
        <translation>打开 GGUF 文件</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>No model open</source>
        <translation>未打开模型</translation>
    </message>
    <message>
        <source>Cannot Open Model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>Could not open “%1”.</source>
        <translation>无法打开“%1”。</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
</context>
<context>
    <name>ftui::ModelSummaryView</name>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Dimensions</source>
        <translation>维度</translation>
    </message>
    <message>
        <source>Numerics</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source>Model type</source>
        <translation>模型类型</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Tied embeddings</source>
        <translation>共享词嵌入</translation>
    </message>
    <message>
        <source>Whether the output projection shares the input embedding matrix</source>
        <translation>输出投影是否与输入词嵌入矩阵共享</translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation>隐藏层大小</translation>
    </message>
    <message>
        <source>MLP size</source>
        <translation>MLP 大小</translation>
    </message>
    <message>
        <source>Width of the feed-forward (intermediate) layer</source>
        <translation>前馈（中间）层的宽度</translation>
    </message>
    <message>
        <source>Attention heads</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>Query heads, with the key/value heads in brackets (fewer means grouped-query attention)</source>
        <translation>查询头数，括号内为键/值头数（较少表示分组查询注意力）</translation>
    </message>
    <message>
        <source>Head dimension</source>
        <translation>头维度</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>The data type stored on disk and the one the engine computes in</source>
        <translation>磁盘上存储的数据类型，以及引擎计算时用的类型</translation>
    </message>
    <message>
        <source>RoPE θ</source>
        <translation>RoPE θ</translation>
    </message>
    <message>
        <source>Base frequency of the rotary position embedding</source>
        <translation>旋转位置编码的基础频率</translation>
    </message>
    <message>
        <source>RoPE scaling</source>
        <translation>RoPE 缩放</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元数</translation>
    </message>
    <message>
        <source>BOS / EOS</source>
        <translation>BOS / EOS</translation>
    </message>
    <message>
        <source>Beginning- and end-of-sequence tokens</source>
        <translation>序列开始和结束词元</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>对话模板</translation>
    </message>
    <message>
        <source>Whether the tokenizer configuration carries a chat template for instruction data</source>
        <translation>分词器配置中是否带有用于指令数据的对话模板</translation>
    </message>
    <message>
        <source>%L1 parameters</source>
        <translation>%L1 个参数</translation>
    </message>
    <message>
        <source>Longest sequence the model was configured for, in tokens</source>
        <translation>模型配置支持的最长序列（词元数）</translation>
    </message>
    <message>
        <source>Rows of the model&apos;s embedding matrix</source>
        <translation>模型词嵌入矩阵的行数</translation>
    </message>
    <message>
        <source>%1 (%2 key/value)</source>
        <translation>%1（%2 个键/值头）</translation>
    </message>
    <message>
        <source>none (learned positions)</source>
        <translation>无（学习的位置编码）</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
</context>
<context>
    <name>ftui::NoProjectView</name>
    <message>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <source>A project is one file that holds your datasets, their reviewed rows and splits, and your training runs.
Every change is saved as you make it. Drop data files here to import them.</source>
        <translation>项目是一个文件，保存你的数据集、审查过的行和划分，以及训练记录。
每次更改都会即时保存。把数据文件拖到这里即可导入。</translation>
    </message>
    <message>
        <source>New Project…</source>
        <translation>新建项目…</translation>
    </message>
    <message>
        <source>Open Project…</source>
        <translation>打开项目…</translation>
    </message>
</context>
<context>
    <name>ftui::PageSidebar</name>
    <message>
        <source>FineTune Studio</source>
        <translation>FineTune Studio</translation>
    </message>
    <message>
        <source>WORKFLOW</source>
        <translation>工作流程</translation>
    </message>
</context>
<context>
    <name>ftui::PreferenceCharts</name>
    <message>
        <source>Rewards</source>
        <translation>奖励</translation>
    </message>
    <message>
        <source>Reward accuracy</source>
        <translation>奖励准确率</translation>
    </message>
    <message>
        <source>chosen</source>
        <translation>选中</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>被拒</translation>
    </message>
    <message>
        <source>margin</source>
        <translation>差值</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
</context>
<context>
    <name>ftui::ProgressiveOptionsPanel</name>
    <message>
        <source>Blocks at start</source>
        <translation>初始块数</translation>
    </message>
    <message>
        <source>Stages</source>
        <translation>阶段数</translation>
    </message>
    <message>
        <source>Blocks per stage</source>
        <translation>每阶段块数</translation>
    </message>
    <message>
        <source>LR factor</source>
        <translation>学习率系数</translation>
    </message>
    <message>
        <source>Training starts with the top blocks; each epoch the next blocks downwards join (stage bands beside the map). Stages 0: one block per epoch until all train.</source>
        <translation>训练从顶部的块开始；每一轮向下再加入若干块（见图旁的阶段色带）。阶段数为 0：每轮加入一个块，直到全部参与训练。</translation>
    </message>
</context>
<context>
    <name>ftui::ProjectRuns</name>
    <message>
        <source>Cannot delete %1</source>
        <translation>无法删除 %1</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message numerus="yes">
        <source>finished, %Ln step(s)</source>
        <translation>
            <numerusform>已完成，%Ln 步</numerusform>
        </translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>stopped at step %1 (resumable)</source>
        <translation>停在第 %1 步（可继续）</translation>
    </message>
    <message>
        <source>stopped at step %1</source>
        <translation>停在第 %1 步</translation>
    </message>
    <message>
        <source>crashed (resumable from step %1)</source>
        <translation>崩溃（可从第 %1 步继续）</translation>
    </message>
    <message>
        <source>crashed</source>
        <translation>崩溃</translation>
    </message>
</context>
<context>
    <name>ftui::PromptTuningOptionsPanel</name>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>From text</source>
        <translation>来自文本</translation>
    </message>
    <message>
        <source>e.g. Answer as a careful nurse:</source>
        <translation>例如：以细心护士的身份回答：</translation>
    </message>
    <message>
        <source>Virtual tokens</source>
        <translation>虚拟词元</translation>
    </message>
    <message>
        <source>Initialise</source>
        <translation>初始化</translation>
    </message>
    <message>
        <source>Init text</source>
        <translation>初始化文本</translation>
    </message>
</context>
<context>
    <name>ftui::RecentFilesMenu</name>
    <message>
        <source>Clear Menu</source>
        <translation>清空菜单</translation>
    </message>
</context>
<context>
    <name>ftui::RecentModelsMenu</name>
    <message>
        <source>Recent Models</source>
        <translation>最近的模型</translation>
    </message>
</context>
<context>
    <name>ftui::RecentProjectsMenu</name>
    <message>
        <source>Recent Projects</source>
        <translation>最近的项目</translation>
    </message>
</context>
<context>
    <name>ftui::ReviewPanel</name>
    <message>
        <source>Finding</source>
        <translation>审查项</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>审查结果</translation>
    </message>
    <message>
        <source>Click a finding to see what it means and show its rows in the table</source>
        <translation>点击审查项查看其含义，并在表格中显示相关行</translation>
    </message>
    <message>
        <source>tokens per row</source>
        <translation>每行词元数</translation>
    </message>
    <message>
        <source>rows</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Duplicates</source>
        <translation>重复</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>First row</source>
        <translation>首行</translation>
    </message>
    <message>
        <source>Not reviewed yet</source>
        <translation>尚未审查</translation>
    </message>
    <message>
        <source>Review finds duplicates, empty or broken rows, length outliers, rows over the cutoff, encoding problems and personal data. It flags; it never deletes.</source>
        <translation>审查会找出重复、空的或损坏的行、长度异常、超出截断长度的行、编码问题和个人信息。只做标记，从不删除。</translation>
    </message>
    <message>
        <source>Quality score %1 / 100</source>
        <translation>质量评分 %1 / 100</translation>
    </message>
    <message>
        <source>Nothing lowers the score.</source>
        <translation>没有扣分项。</translation>
    </message>
    <message>
        <source>Starting from 100:</source>
        <translation>从 100 分起扣：</translation>
    </message>
    <message>
        <source>Click a finding to see what it means and show its rows in the table. Findings are flags: nothing is deleted.</source>
        <translation>点击审查项查看其含义，并在表格中显示相关行。审查结果只是标记：不会删除任何内容。</translation>
    </message>
    <message>
        <source>no findings</source>
        <translation>无审查结果</translation>
    </message>
    <message>
        <source>cutoff %1 tokens
%2 rows over it</source>
        <translation>截断长度 %1 个词元
%2 行超出</translation>
    </message>
    <message>
        <source>tokens per row (estimated)</source>
        <translation>每行词元数（估算）</translation>
    </message>
    <message>
        <source>exact: </source>
        <translation>完全：</translation>
    </message>
    <message>
        <source>near: </source>
        <translation>近似：</translation>
    </message>
    <message>
        <source>no duplicate clusters</source>
        <translation>没有重复组</translation>
    </message>
</context>
<context>
    <name>ftui::ReviewRunner</name>
    <message>
        <source>not enough memory for this review</source>
        <translation>内存不足，无法完成此次审查</translation>
    </message>
</context>
<context>
    <name>ftui::RowTableModel</name>
    <message>
        <source> · edited</source>
        <translation> · 已编辑</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>审查结果</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>划分</translation>
    </message>
</context>
<context>
    <name>ftui::RowToolbar</name>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <source>Accept the selected rows (A)</source>
        <translation>接受选中的行（A）</translation>
    </message>
    <message>
        <source>Exclude</source>
        <translation>排除</translation>
    </message>
    <message>
        <source>Exclude the selected rows from training (X)</source>
        <translation>把选中的行排除在训练之外（X）</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待定</translation>
    </message>
    <message>
        <source>Mark the selected rows pending (P)</source>
        <translation>把选中的行标记为待定（P）</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Edit the selected row&apos;s messages (E)</source>
        <translation>编辑选中行的消息（E）</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>All findings</source>
        <translation>全部审查项</translation>
    </message>
</context>
<context>
    <name>ftui::RowView</name>
    <message>
        <source>Select a row</source>
        <translation>选择一行</translation>
    </message>
    <message>
        <source>The chat template the row is rendered with</source>
        <translation>渲染该行所用的对话模板</translation>
    </message>
    <message>
        <source>Rendered with</source>
        <translation>渲染模板</translation>
    </message>
    <message>
        <source>Highlighted: the assistant&apos;s text, the tokens the loss is computed on</source>
        <translation>高亮部分：助手的文本，即计算损失的词元</translation>
    </message>
    <message>
        <source>model&apos;s own</source>
        <translation>模型自带</translation>
    </message>
    <message>
        <source>Row %1 · %2 · %3</source>
        <translation>第 %1 行 · %2 · %3</translation>
    </message>
    <message>
        <source>Edited. The original as imported:</source>
        <translation>已编辑。导入时的原文：</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>审查结果</translation>
    </message>
    <message>
        <source>%1 tokens, %2 trained</source>
        <translation>%1 个词元，训练 %2 个</translation>
    </message>
    <message>
        <source>%1 characters, %2 trained · open a model for token counts</source>
        <translation>%1 个字符，训练 %2 个 · 打开模型可查看词元数</translation>
    </message>
    <message>
        <source>Cannot render this row with the %1 template:
%2</source>
        <translation>无法用 %1 模板渲染此行：
%2</translation>
    </message>
</context>
<context>
    <name>ftui::RunControls</name>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop after the current step and write a checkpoint</source>
        <translation>在当前步结束后停止并写入检查点</translation>
    </message>
    <message>
        <source>%v / %m steps</source>
        <translation>%v / %m 步</translation>
    </message>
    <message numerus="yes">
        <source>%Ln step(s), about %1 on this machine</source>
        <translation>
            <numerusform>%Ln 步，在本机上约需 %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln step(s) planned</source>
        <translation>
            <numerusform>计划 %Ln 步</numerusform>
        </translation>
    </message>
    <message>
        <source>epoch %1 · %2 left · %3 in use</source>
        <translation>第 %1 轮 · 剩余 %2 · 占用 %3</translation>
    </message>
    <message>
        <source>%1 elapsed (pauses excluded); memory: the process&apos;s resident set</source>
        <translation>已用时 %1（不含暂停）；内存：进程的常驻内存</translation>
    </message>
    <message>
        <source>? steps</source>
        <translation>? 步</translation>
    </message>
    <message>
        <source>Measure a step or set max steps to plan the run.</source>
        <translation>测量一步的耗时或设置最大步数，以规划这次训练。</translation>
    </message>
</context>
<context>
    <name>ftui::RunHistory</name>
    <message>
        <source>Tick a run to draw its loss on the chart; right-click for more.</source>
        <translation>勾选一次训练即可在图上画出它的损失；右键查看更多操作。</translation>
    </message>
    <message>
        <source>Resume Run</source>
        <translation>继续训练</translation>
    </message>
    <message>
        <source>Continue the chosen stopped or crashed run from its last checkpoint.</source>
        <translation>从最后一个检查点继续所选的已停止或崩溃的训练。</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Notes…</source>
        <translation>备注…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Rename Run</source>
        <translation>重命名训练</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Run Notes</source>
        <translation>训练备注</translation>
    </message>
    <message>
        <source>Notes on %1:</source>
        <translation>%1 的备注：</translation>
    </message>
    <message>
        <source>Delete Run</source>
        <translation>删除训练</translation>
    </message>
    <message>
        <source>Delete the run %1 and its folder %2 with its checkpoints? This cannot be undone.</source>
        <translation>删除训练 %1 及其文件夹 %2（含检查点）吗？此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>ftui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>All physical cores</source>
        <translation>全部物理核心</translation>
    </message>
    <message numerus="yes">
        <source>CPU threads for training and generation; this machine has %n logical core(s).</source>
        <translation>
            <numerusform>训练和生成所用的 CPU 线程数；本机有 %n 个逻辑核心。</numerusform>
        </translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation>CPU 线程数：</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Models folder:</source>
        <translation>模型文件夹：</translation>
    </message>
    <message>
        <source>Projects folder:</source>
        <translation>项目文件夹：</translation>
    </message>
    <message>
        <source>FineTune Studio sends nothing anywhere: no telemetry, no update checks, no model downloads. Your data stays on this machine.</source>
        <translation>FineTune Studio 不向任何地方发送数据：没有遥测，不检查更新，也不下载模型。你的数据只留在这台机器上。</translation>
    </message>
    <message>
        <source>Language, theme and threads take effect when the studio starts again.</source>
        <translation>语言、主题和线程数在重新启动后生效。</translation>
    </message>
    <message>
        <source>The last folder used</source>
        <translation>上次使用的文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose a Folder</source>
        <translation>选择文件夹</translation>
    </message>
    <message>
        <source>Restart FineTune Studio?</source>
        <translation>重新启动 FineTune Studio？</translation>
    </message>
    <message>
        <source>The new settings take effect when the studio starts again. Restart now?</source>
        <translation>新设置在重新启动后生效。现在重新启动吗？</translation>
    </message>
</context>
<context>
    <name>ftui::StepTimeCard</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>%1 days</source>
        <translation>%1 天</translation>
    </message>
    <message>
        <source>Time for these settings</source>
        <translation>这些设置所需的时间</translation>
    </message>
    <message>
        <source>Measure a Step</source>
        <translation>测量一步</translation>
    </message>
    <message>
        <source>Loads the model and the data once more and times the forward and backward pass of one micro-batch at these settings (no training).</source>
        <translation>按这些设置重新加载模型和数据，并计时一个微批次的前向和反向传播（不训练）。</translation>
    </message>
    <message>
        <source>Measuring one micro-batch…</source>
        <translation>正在测量一个微批次…</translation>
    </message>
    <message>
        <source>%1 optimiser steps over %2 training examples. One step ≈ %3 on this machine (%4 micro-batches of %5 rows; one took %6), the run ≈ %7.</source>
        <translation>在 %2 个训练样本上共 %1 个优化步。本机上一步 ≈ %3（%4 个微批次，每个 %5 行；一个用时 %6），整次训练 ≈ %7。</translation>
    </message>
    <message>
        <source>Could not measure: %1</source>
        <translation>无法测量：%1</translation>
    </message>
    <message>
        <source>Open a model and choose the data to measure how long a step takes here.</source>
        <translation>打开模型并选择数据，即可测量在这里一步需要多长时间。</translation>
    </message>
    <message>
        <source>The settings changed since the last measurement.</source>
        <translation>自上次测量以来设置已更改。</translation>
    </message>
    <message>
        <source>How long a step takes depends on the model, the rows per step and the cutoff; measure it before a long run.</source>
        <translation>一步需要多长时间取决于模型、每步的行数和截断长度；长时间训练前请先测量。</translation>
    </message>
    <message numerus="yes">
        <source>%Ln step(s) planned.</source>
        <translation>
            <numerusform>计划 %Ln 步。</numerusform>
        </translation>
    </message>
    <message>
        <source>Slow on this machine: %1 × %2 = %3 rows per step take about %4. Fewer rows per step (batch size × accumulation) or a shorter cutoff make each step quicker; for a first try, a few max steps show whether the loss falls.</source>
        <translation>在本机上较慢：每步 %1 × %2 = %3 行，约需 %4。减少每步行数（批大小 × 梯度累积）或缩短截断长度能让每步更快；初次尝试时，设置少量最大步数即可看出损失是否下降。</translation>
    </message>
</context>
<context>
    <name>ftui::StrategyAdvisor</name>
    <message>
        <source>Advisor</source>
        <translation>建议</translation>
    </message>
    <message>
        <source>Rows in the training data (filled from the chosen data file).</source>
        <translation>训练数据的行数（根据所选数据文件填写）。</translation>
    </message>
    <message>
        <source>Rows in the dataset</source>
        <translation>数据集行数</translation>
    </message>
    <message>
        <source>Use this strategy</source>
        <translation>采用此策略</translation>
    </message>
    <message>
        <source>%1 rows is under 100k: the article advises parameter-efficient tuning such as LoRA; full training would overfit so little data and costs far more memory.</source>
        <translation>%1 行，少于 10 万：文章建议用 LoRA 等参数高效微调；全量训练会在这么少的数据上过拟合，而且内存开销大得多。</translation>
    </message>
    <message>
        <source>%1 rows is between 100k and 1M: the article advises partial tuning, training the top blocks while the lower ones stay frozen.</source>
        <translation>%1 行，介于 10 万到 100 万之间：文章建议冻结微调，训练顶部的块，底部的块保持冻结。</translation>
    </message>
    <message>
        <source>%1 rows is over 1M: the article advises full fine-tuning, on several machines at this scale.</source>
        <translation>%1 行，超过 100 万：文章建议全量微调，这种规模需要多台机器。</translation>
    </message>
    <message>
        <source> %1 would need about %2 of this machine&apos;s %3 RAM, which does not fit;</source>
        <translation>%1 约需本机 %3 内存中的 %2，放不下；</translation>
    </message>
    <message>
        <source> %1 needs about %2 of %3 RAM here at batch %4 and cutoff %5 (%6).</source>
        <translation>在批大小 %4、截断长度 %5 下，%1 约需本机 %3 内存中的 %2（%6）。</translation>
    </message>
    <message>
        <source>Advice: %1</source>
        <translation>建议：%1</translation>
    </message>
    <message>
        <source>Tokens in the documents</source>
        <translation>文档中的词元数</translation>
    </message>
    <message>
        <source>Tokens in the training documents (counted with the model&apos;s tokenizer, an end-of-text token after each); training packs them into rows of the cutoff length.</source>
        <translation>训练文档中的词元数（用模型的分词器计数，每篇文档后加一个文本结束词元）；训练时会把它们打包成截断长度的行。</translation>
    </message>
    <message>
        <source>%1 tokens of documents pack into %2 rows of %3 tokens. </source>
        <translation>%1 个文档词元打包成 %2 行，每行 %3 个词元。</translation>
    </message>
    <message>
        <source>Write a cluster recipe…</source>
        <translation>编写集群训练方案…</translation>
    </message>
    <message>
        <source>Writes this run for LLaMA-Factory with DeepSpeed on several machines: training YAML, data, DeepSpeed configuration and launch commands.</source>
        <translation>将本次训练写成在多台机器上用 LLaMA-Factory 和 DeepSpeed 运行的方案：训练 YAML、数据、DeepSpeed 配置和启动命令。</translation>
    </message>
</context>
<context>
    <name>ftui::StrategyPage</name>
    <message>
        <source>LoRA: low-rank adapters</source>
        <translation>LoRA：低秩适配器</translation>
    </message>
    <message>
        <source>Freeze: train some blocks</source>
        <translation>冻结微调：只训练部分块</translation>
    </message>
    <message>
        <source>Progressive unfreezing</source>
        <translation>渐进解冻</translation>
    </message>
    <message>
        <source>Full fine-tuning</source>
        <translation>全量微调</translation>
    </message>
    <message>
        <source>IA3: learned scaling vectors</source>
        <translation>IA3：学习缩放向量</translation>
    </message>
    <message>
        <source>Prompt tuning: virtual tokens</source>
        <translation>提示微调：虚拟词元</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Every weight trains: the most memory (weights, gradients and two AdamW moments per parameter); worth it above a million rows.</source>
        <translation>所有权重都参与训练：内存占用最大（每个参数有权重、梯度和两个 AdamW 动量）；超过一百万行时才值得。</translation>
    </message>
    <message>
        <source>%1 · %2 blocks · %3 parameters</source>
        <translation>%1 · %2 个块 · %3 个参数</translation>
    </message>
    <message>
        <source>No model open: open one on the Model page to see its layers.</source>
        <translation>未打开模型：在“模型”页打开一个即可查看其各层。</translation>
    </message>
    <message>
        <source>Trainable parameters: open a model</source>
        <translation>可训练参数：请打开模型</translation>
    </message>
    <message>
        <source>Trainable: %1 of %2 parameters (%3 %)</source>
        <translation>可训练：%1 / %2 个参数（%3 %）</translation>
    </message>
    <message>
        <source>, %1 after the last stage</source>
        <translation>，最后阶段后为 %1</translation>
    </message>
    <message>
        <source>Trainable: the plan has problems</source>
        <translation>可训练：方案有问题</translation>
    </message>
    <message>
        <source>Wrote %1 (%2 training rows). Its README.md has the launch commands.</source>
        <translation>已写入 %1（%2 条训练行）。启动命令见其中的 README.md。</translation>
    </message>
    <message>
        <source>Cluster recipe</source>
        <translation>集群训练方案</translation>
    </message>
</context>
<context>
    <name>ftui::TorchrunJob</name>
    <message>
        <source>Could not write the run&apos;s configuration to %1: %2</source>
        <translation>无法将本次训练的配置写入 %1：%2</translation>
    </message>
    <message>
        <source>Could not start %1: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
    <message>
        <source>started %1 processes: %2 %3</source>
        <translation>已启动 %1 个进程：%2 %3</translation>
    </message>
    <message>
        <source>torchrun ended with exit code %1 (see the log for each rank&apos;s output)</source>
        <translation>torchrun 以退出码 %1 结束（各进程的输出见日志）</translation>
    </message>
</context>
<context>
    <name>ftui::TrainPage</name>
    <message>
        <source>Export Failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>Choose a folder you can write to.</source>
        <translation>请选择一个有写入权限的文件夹。</translation>
    </message>
    <message>
        <source>Paused after step %1</source>
        <translation>已在第 %1 步后暂停</translation>
    </message>
    <message>
        <source>paused at step %1</source>
        <translation>暂停于第 %1 步</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Memory for these settings</source>
        <translation>这些设置所需的内存</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>训练记录</translation>
    </message>
    <message>
        <source>no model open (open one on the Model page)</source>
        <translation>未打开模型（请在“模型”页打开）</translation>
    </message>
    <message>
        <source>dataset %1</source>
        <translation>数据集 %1</translation>
    </message>
    <message>
        <source>no dataset chosen</source>
        <translation>未选择数据集</translation>
    </message>
    <message>
        <source>no data file chosen</source>
        <translation>未选择数据文件</translation>
    </message>
    <message>
        <source>Model: %1 · Data: %2</source>
        <translation>模型：%1 · 数据：%2</translation>
    </message>
    <message>
        <source>Full fine-tuning</source>
        <translation>全量微调</translation>
    </message>
    <message>
        <source>LoRA r %1</source>
        <translation>LoRA r %1</translation>
    </message>
    <message>
        <source>Cannot Start Training</source>
        <translation>无法开始训练</translation>
    </message>
    <message>
        <source>No model is open.</source>
        <translation>没有打开模型。</translation>
    </message>
    <message>
        <source>Open a model on the Model page first.</source>
        <translation>请先在“模型”页打开模型。</translation>
    </message>
    <message>
        <source>No dataset is chosen.</source>
        <translation>没有选择数据集。</translation>
    </message>
    <message>
        <source>No data file is chosen.</source>
        <translation>没有选择数据文件。</translation>
    </message>
    <message>
        <source>Choose one of the project&apos;s datasets, or import a file on the Data page.</source>
        <translation>请选择项目中的一个数据集，或在“数据”页导入文件。</translation>
    </message>
    <message>
        <source>Choose an Alpaca, messages or ShareGPT file with Browse…</source>
        <translation>请用“浏览…”选择 Alpaca、messages 或 ShareGPT 格式的文件</translation>
    </message>
    <message>
        <source>run %1 → %2</source>
        <translation>训练 %1 → %2</translation>
    </message>
    <message>
        <source>Cannot Resume</source>
        <translation>无法继续</translation>
    </message>
    <message>
        <source>This run has no checkpoint to continue from.</source>
        <translation>这次训练没有可继续的检查点。</translation>
    </message>
    <message>
        <source>Only a stopped or crashed run with a checkpoint can be resumed.</source>
        <translation>只有带检查点的已停止或崩溃的训练才能继续。</translation>
    </message>
    <message>
        <source>The run&apos;s stored configuration is not valid any more.</source>
        <translation>这次训练保存的配置已不再有效。</translation>
    </message>
    <message>
        <source>resuming %1 from checkpoint-%2</source>
        <translation>从 checkpoint-%2 继续 %1</translation>
    </message>
    <message>
        <source>Loading the model and the data…</source>
        <translation>正在加载模型和数据…</translation>
    </message>
    <message>
        <source>Pausing after the current step…</source>
        <translation>将在当前步结束后暂停…</translation>
    </message>
    <message>
        <source>stopping after the current step (a checkpoint is written)…</source>
        <translation>将在当前步结束后停止（会写入检查点）…</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>error: %1</source>
        <translation>错误：%1</translation>
    </message>
    <message>
        <source>Training Failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <source>Check the settings, the data file and the model named above, then start again.</source>
        <translation>请检查设置、数据文件和上面提到的模型，然后重新开始。</translation>
    </message>
    <message>
        <source>The last checkpoint in the run folder is intact. A lower learning rate or cleaner data usually helps.</source>
        <translation>训练文件夹中的最后一个检查点完好。降低学习率或清理数据通常会有帮助。</translation>
    </message>
    <message>
        <source>Stopped at step %1; checkpoint saved</source>
        <translation>停在第 %1 步；检查点已保存</translation>
    </message>
    <message>
        <source>stopped at step %1</source>
        <translation>停在第 %1 步</translation>
    </message>
    <message numerus="yes">
        <source>Finished: %Ln step(s)</source>
        <translation>
            <numerusform>已完成：%Ln 步</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::TrainingCharts</name>
    <message>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <source>Tokens / s</source>
        <translation>词元 / 秒</translation>
    </message>
    <message>
        <source>smoothed</source>
        <translation>平滑后</translation>
    </message>
    <message>
        <source>eval loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>grad norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <source>tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>step %1
%2: %3</source>
        <translation>第 %1 步
%2：%3</translation>
    </message>
    <message>
        <source>
raw: %1</source>
        <translation>
原始值：%1</translation>
    </message>
</context>
<context>
    <name>ftui::TrainingLog</name>
    <message>
        <source>step %1/%2  loss %3  lr %4  grad norm %5  %6 tokens/s</source>
        <translation>第 %1/%2 步  损失 %3  学习率 %4  梯度范数 %5  %6 词元/秒</translation>
    </message>
    <message>
        <source>step %1  eval loss %2  perplexity %3</source>
        <translation>第 %1 步  验证损失 %2  困惑度 %3</translation>
    </message>
</context>
<context>
    <name>ftui::TrainingSettingsForm</name>
    <message>
        <source>The step size of AdamW. Each strategy starts from its own default: 2e-4 for LoRA and IA3, 3e-2 for prompt tuning, 2e-5 for full, freeze and progressive fine-tuning (the article&apos;s value, meant for full fine-tuning). A rate you type stays when you switch. Too high: the loss jumps or becomes NaN.</source>
        <translation>AdamW 的步长。每种策略有自己的默认值：LoRA 和 IA3 为 2e-4，提示微调为 3e-2，全量微调、冻结微调和渐进解冻为 2e-5（文章中的数值，针对全量微调）。手动输入的学习率在切换策略时保留。过高：损失会跳变或变成 NaN。</translation>
    </message>
    <message>
        <source>Alpaca / messages / ShareGPT .json or .jsonl</source>
        <translation>Alpaca / messages / ShareGPT 格式的 .json 或 .jsonl</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Data file</source>
        <translation>数据文件</translation>
    </message>
    <message>
        <source>The training rows: Alpaca (instruction, input, output), OpenAI messages or ShareGPT conversations, as .json (a list) or .jsonl. Bad rows are skipped and counted in the log.</source>
        <translation>训练数据：Alpaca（instruction、input、output）、OpenAI messages 或 ShareGPT 对话，格式为 .json（列表）或 .jsonl。坏行会被跳过并在日志中计数。</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>对话模板</translation>
    </message>
    <message>
        <source>How a row becomes text: a built-in template (alpaca, chatml, llama3, plain) or &apos;model&apos; for the model&apos;s own chat template. Only the answer&apos;s tokens are trained.</source>
        <translation>一行数据如何变成文本：内置模板（alpaca、chatml、llama3、plain），或用“model”表示模型自带的对话模板。只训练回答部分的词元。</translation>
    </message>
    <message>
        <source>LoRA (adapters)</source>
        <translation>LoRA（适配器）</translation>
    </message>
    <message>
        <source>Full fine-tuning</source>
        <translation>全量微调</translation>
    </message>
    <message>
        <source>Freeze (partial)</source>
        <translation>冻结微调（部分）</translation>
    </message>
    <message>
        <source>Progressive unfreezing</source>
        <translation>渐进解冻</translation>
    </message>
    <message>
        <source>IA3</source>
        <translation>IA3</translation>
    </message>
    <message>
        <source>Prompt tuning</source>
        <translation>提示微调</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>LoRA trains small low-rank adapters beside frozen weights: little memory, the article&apos;s advice under 100k rows. Full fine-tuning trains every weight.</source>
        <translation>LoRA 在冻结的权重旁训练小的低秩适配器：内存占用小，文章建议在 10 万行以下使用。全量微调训练所有权重。</translation>
    </message>
    <message>
        <source>Rank r</source>
        <translation>秩 r</translation>
    </message>
    <message>
        <source>The adapters&apos; rank: trainable parameters grow linearly with r (8 to 64 is usual).</source>
        <translation>适配器的秩：可训练参数随 r 线性增长（常用 8 到 64）。</translation>
    </message>
    <message>
        <source>Alpha</source>
        <translation>Alpha</translation>
    </message>
    <message>
        <source>lora_alpha: the update is scaled by alpha / r (2 × r is a common choice).</source>
        <translation>lora_alpha：更新量按 alpha / r 缩放（常取 2 × r）。</translation>
    </message>
    <message>
        <source>Dropout</source>
        <translation>Dropout</translation>
    </message>
    <message>
        <source>Dropout on the adapters&apos; input while training (regularisation).</source>
        <translation>训练时对适配器输入做 Dropout（正则化）。</translation>
    </message>
    <message>
        <source>Targets</source>
        <translation>目标模块</translation>
    </message>
    <message>
        <source>Module names that get adapters, separated by commas (q_proj, v_proj, ...), or all-linear.</source>
        <translation>要加适配器的模块名，用逗号分隔（q_proj, v_proj, ...），或 all-linear。</translation>
    </message>
    <message>
        <source>from epochs</source>
        <translation>由轮数决定</translation>
    </message>
    <message>
        <source>no clipping</source>
        <translation>不裁剪</translation>
    </message>
    <message>
        <source>at end</source>
        <translation>结束时</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>per epoch</source>
        <translation>每轮</translation>
    </message>
    <message>
        <source>Hyper-parameters</source>
        <translation>超参数</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Rows per forward pass (per_device_train_batch_size). Memory grows with batch × cutoff.</source>
        <translation>每次前向传播的行数（per_device_train_batch_size）。内存随批大小 × 截断长度增长。</translation>
    </message>
    <message>
        <source>Accumulation</source>
        <translation>梯度累积</translation>
    </message>
    <message>
        <source>Gradient accumulation steps: micro-batches summed before each optimiser step. The effective batch is batch size × accumulation (4 × 8 = 32) without the memory of a big batch.</source>
        <translation>梯度累积步数：每个优化步之前累加的微批次数。有效批大小为批大小 × 梯度累积（4 × 8 = 32），却不需要大批次的内存。</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Passes over the data. 3 is the usual default; more risks memorising the data.</source>
        <translation>遍历数据的次数。通常默认 3 轮；更多轮次有记住数据的风险。</translation>
    </message>
    <message>
        <source>Max steps</source>
        <translation>最大步数</translation>
    </message>
    <message>
        <source>Optimiser steps to run; when set it overrides the epochs (for short trials).</source>
        <translation>要运行的优化步数；设置后会覆盖轮数（用于短时试验）。</translation>
    </message>
    <message>
        <source>Warmup</source>
        <translation>预热比例</translation>
    </message>
    <message>
        <source>Share of the steps over which the learning rate rises from 0 (0.1 = the first 10 %): keeps the first updates from wrecking the pretrained weights.</source>
        <translation>学习率从 0 开始上升所占的步数比例（0.1 = 前 10 %）：防止最初的更新破坏预训练权重。</translation>
    </message>
    <message>
        <source>Scheduler</source>
        <translation>调度器</translation>
    </message>
    <message>
        <source>How the learning rate falls after warmup: linear to 0, cosine, or constant.</source>
        <translation>预热之后学习率如何下降：线性降到 0、余弦，或保持不变。</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>AdamW&apos;s decoupled weight decay on matrices (not biases or norms): mild regularisation, 0 to 0.1.</source>
        <translation>AdamW 对矩阵（不含偏置和归一化层）的解耦权重衰减：温和的正则化，0 到 0.1。</translation>
    </message>
    <message>
        <source>Max grad norm</source>
        <translation>最大梯度范数</translation>
    </message>
    <message>
        <source>Gradients are clipped to this global L2 norm (1.0 is the default); guards against loss spikes.</source>
        <translation>梯度按此全局 L2 范数裁剪（默认 1.0）；防止损失突增。</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Seeds the data order, the LoRA initialisation and dropout: the same seed gives the same run.</source>
        <translation>决定数据顺序、LoRA 初始化和 Dropout：相同的种子得到相同的训练。</translation>
    </message>
    <message>
        <source>Cutoff</source>
        <translation>截断长度</translation>
    </message>
    <message>
        <source>Tokens per example (cutoff_len); longer rows are truncated. Activation memory grows with it.</source>
        <translation>每个样本的词元数（cutoff_len）；更长的行会被截断。激活值内存随之增长。</translation>
    </message>
    <message>
        <source>Logging steps</source>
        <translation>日志步数</translation>
    </message>
    <message>
        <source>Every how many steps a line goes to metrics.jsonl in the run folder (the chart shows every step).</source>
        <translation>每隔多少步向训练文件夹中的 metrics.jsonl 写一行（图表显示每一步）。</translation>
    </message>
    <message>
        <source>Save steps</source>
        <translation>保存步数</translation>
    </message>
    <message>
        <source>Every how many steps a checkpoint is written (to resume from). Stop always writes one.</source>
        <translation>每隔多少步写入一个检查点（用于继续训练）。停止时总会写入一个。</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>验证集</translation>
    </message>
    <message>
        <source>Share of the rows held out to measure the eval loss (a seeded split; 0: none). Eval loss rising while the training loss falls means overfitting.</source>
        <translation>留出用于计算验证损失的行的比例（按种子划分；0：不留）。训练损失下降而验证损失上升，说明过拟合。</translation>
    </message>
    <message>
        <source>Eval steps</source>
        <translation>评估步数</translation>
    </message>
    <message>
        <source>Every how many steps the held-out rows are evaluated (0: at each epoch&apos;s end).</source>
        <translation>每隔多少步评估一次留出的行（0：每轮结束时）。</translation>
    </message>
    <message>
        <source>The project&apos;s validation split is evaluated (split the dataset on the Data page).</source>
        <translation>评估项目的验证集（在“数据”页划分数据集）。</translation>
    </message>
    <message>
        <source>Choose Training Data</source>
        <translation>选择训练数据</translation>
    </message>
    <message>
        <source>Training data (*.json *.jsonl);;All files (*)</source>
        <translation>训练数据 (*.json *.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Instructions (sft)</source>
        <translation>指令（sft）</translation>
    </message>
    <message>
        <source>Documents (pt)</source>
        <translation>文档（pt）</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Preferences (DPO)</source>
        <translation>偏好（DPO）</translation>
    </message>
    <message>
        <source>Preferences (ORPO)</source>
        <translation>偏好（ORPO）</translation>
    </message>
    <message>
        <source>Instructions (sft): rows of instructions or conversations; only the answers are trained. Documents (pt): continued pre-training on raw text; the documents are packed into rows of the cutoff length and every token is trained. Chosen from the dataset&apos;s format when a project dataset is picked. Preferences: pairs of a chosen and a rejected answer; DPO compares with the model without the adapter (LoRA or IA3), ORPO needs no reference.</source>
        <translation>指令（sft）：指令或对话行，只训练回答部分。文档（pt）：在原始文本上继续预训练；文档被打包成截断长度的行，每个词元都参与训练。选择项目数据集时会根据其格式自动选择。偏好：由选中回答和被拒回答组成的成对数据；DPO 以不带适配器的模型（LoRA 或 IA3）为参考，ORPO 不需要参考模型。</translation>
    </message>
    <message>
        <source>Beta</source>
        <translation>Beta</translation>
    </message>
    <message>
        <source>DPO: how far the model may move from the reference (0.1 is usual; higher stays closer). ORPO: the weight of the odds-ratio term beside the chosen answers&apos; loss (lambda, 0.1).</source>
        <translation>DPO：模型可偏离参考模型的程度（常用 0.1；越大越贴近参考）。ORPO：几率比项相对于选中回答损失的权重（lambda，0.1）。</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>进程数</translation>
    </message>
    <message>
        <source>Training processes on this machine (data parallel, up to one per GPU, else per CPU core). 1 trains inside the studio; more start PyTorch&apos;s torchrun with that many finetune-cli processes, each taking batch size × accumulation rows per step (the effective batch grows with them). The chart shows the first process&apos;s log; a run of several processes cannot pause.</source>
        <translation>本机上的训练进程数（数据并行，最多每个 GPU 一个，没有 GPU 时每个 CPU 核心一个）。1 表示在本程序内训练；更多时由 PyTorch 的 torchrun 启动相应数量的 finetune-cli 进程，每个进程每步处理 批大小 × 梯度累积 行（有效批大小随进程数增大）。图表显示第一个进程的日志；多进程训练不能暂停。</translation>
    </message>
    <message>
        <source>This machine has one CPU core and no GPU: one process.</source>
        <translation>本机只有一个 CPU 核心且没有 GPU：只用一个进程。</translation>
    </message>
    <message>
        <source>fp32 (as loaded)</source>
        <translation>fp32（按加载时）</translation>
    </message>
    <message>
        <source>bf16 (half the memory)</source>
        <translation>bf16（内存减半）</translation>
    </message>
    <message>
        <source>Q8_0 (8-bit blocks)</source>
        <translation>Q8_0（8 位分块）</translation>
    </message>
    <message>
        <source>Q4_0 (4-bit blocks)</source>
        <translation>Q4_0（4 位分块）</translation>
    </message>
    <message>
        <source>NF4 (4-bit, QLoRA)</source>
        <translation>NF4（4 位，QLoRA）</translation>
    </message>
    <message>
        <source>Frozen base</source>
        <translation>冻结基座</translation>
    </message>
    <message>
        <source>The format the frozen base&apos;s layers are kept in while the adapters train (base_precision): a 4-bit base needs about a third of fp32&apos;s memory and is dequantised layer by layer on the fly. Only for LoRA, IA3 and prompt tuning.</source>
        <translation>训练适配器时冻结基座各层的保存格式（base_precision）：4 位基座约占 fp32 内存的三分之一，训练时逐层即时反量化。仅用于 LoRA、IA3 和提示微调。</translation>
    </message>
    <message>
        <source>Save memory</source>
        <translation>节省内存</translation>
    </message>
    <message>
        <source>Checkpointing</source>
        <translation>梯度检查点</translation>
    </message>
    <message>
        <source>Gradient checkpointing: each block keeps only its input and runs again in the backward pass. Activation memory drops to about one block&apos;s, for about a third more compute; the results are the same.</source>
        <translation>梯度检查点：每个块只保留输入，在反向传播时重新计算。激活内存降到约一个块的大小，计算量约增加三分之一；结果完全相同。</translation>
    </message>
</context>
<context>
    <name>ftui::TryPanel</name>
    <message>
        <source>Try the model</source>
        <translation>试用模型</translation>
    </message>
    <message>
        <source>Ask the base model something from your domain before you tune it.</source>
        <translation>微调之前，先问问基座模型你所在领域的问题。</translation>
    </message>
    <message>
        <source>Type a prompt, then press Ctrl+Enter</source>
        <translation>输入提示，然后按 Ctrl+Enter</translation>
    </message>
    <message>
        <source>The answer streams here.</source>
        <translation>回答会在这里逐字显示。</translation>
    </message>
    <message>
        <source>Use the chat template</source>
        <translation>使用对话模板</translation>
    </message>
    <message>
        <source>Send the prompt as a user turn, formatted as the model was trained to see conversations</source>
        <translation>把提示作为用户发言发送，按模型训练时所见的对话格式排版</translation>
    </message>
    <message>
        <source>The most tokens to generate</source>
        <translation>最多生成的词元数</translation>
    </message>
    <message>
        <source>0 picks the most likely token every time (greedy)</source>
        <translation>0 表示每次都选最可能的词元（贪心）</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最多词元</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>This model has no tokenizer, so it cannot take text.</source>
        <translation>此模型没有分词器，无法输入文本。</translation>
    </message>
    <message>
        <source>Could not generate: %1</source>
        <translation>无法生成：%1</translation>
    </message>
    <message>
        <source>%1 tokens · first token after %2 ms · %3 tokens/s · %4</source>
        <translation>%1 个词元 · 首个词元用时 %2 毫秒 · %3 词元/秒 · %4</translation>
    </message>
</context>
<context>
    <name>ftui::ValidationRowPicker</name>
    <message>
        <source>A row of the project&apos;s validation split as the prompt; its answer is shown as the reference</source>
        <translation>用项目验证集中的一行作为提示；其回答作为参考答案显示</translation>
    </message>
    <message>
        <source>Open a project to pick rows of its validation split</source>
        <translation>打开项目即可从其验证集中挑选行</translation>
    </message>
    <message>
        <source>%1 #%2 · %3</source>
        <translation>%1 #%2 · %3</translation>
    </message>
    <message>
        <source>No validation rows in this project: split a dataset on the Data page</source>
        <translation>此项目没有验证集行：请在“数据”页划分数据集</translation>
    </message>
    <message>
        <source>Cannot read the project&apos;s validation rows: %1</source>
        <translation>无法读取项目的验证集行：%1</translation>
    </message>
    <message numerus="yes">
        <source>A free prompt, or one of %n validation rows…</source>
        <translation>
            <numerusform>自由输入提示，或从 %n 行验证集中选择…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ftui::WelcomeView</name>
    <message>
        <source>Welcome to FineTune Studio</source>
        <translation>欢迎使用 FineTune Studio</translation>
    </message>
    <message>
        <source>Recent projects</source>
        <translation>最近的项目</translation>
    </message>
    <message>
        <source>1. Data: import your domain&apos;s examples and review their quality, counted in tokens.</source>
        <translation>1. 数据：导入你所在领域的样本，并审查其质量（按词元计数）。</translation>
    </message>
    <message>
        <source>2. Strategy and Train: choose what trains on a map of the model&apos;s layers (LoRA, freeze, full) and watch the loss fall.</source>
        <translation>2. 策略与训练：在模型各层的图上选择训练哪些部分（LoRA、冻结微调、全量微调），并观察损失下降。</translation>
    </message>
    <message>
        <source>3. Compare, Evaluate, Export: see whether the tuned model is better, then take it to transformers, llama.cpp or Ollama.</source>
        <translation>3. 对比、评估、导出：看看微调后模型是否更好，再把它用到 transformers、llama.cpp 或 Ollama 中。</translation>
    </message>
    <message>
        <source>Start with SmolLM2-135M-Instruct</source>
        <translation>从 SmolLM2-135M-Instruct 开始</translation>
    </message>
    <message>
        <source>The bundled model is not installed (the package finetune-studio-model-smollm2, or scripts/setup-venv.sh).</source>
        <translation>内置模型未安装（请安装软件包 finetune-studio-model-smollm2，或运行 scripts/setup-venv.sh）。</translation>
    </message>
    <message>
        <source>Open the Demo Project</source>
        <translation>打开演示项目</translation>
    </message>
    <message>
        <source>An invented product&apos;s support desk in English and Chinese, reviewed and split, with a LoRA run ready to start.</source>
        <translation>一个虚构产品的中英文客服数据，已审查并划分，附带一个可直接开始的 LoRA 训练。</translation>
    </message>
    <message>
        <source>The demo data is not installed.</source>
        <translation>演示数据未安装。</translation>
    </message>
    <message>
        <source>Open Model Folder…</source>
        <translation>打开模型文件夹…</translation>
    </message>
    <message>
        <source>Open GGUF File…</source>
        <translation>打开 GGUF 文件…</translation>
    </message>
    <message>
        <source>Import Data…</source>
        <translation>导入数据…</translation>
    </message>
    <message>
        <source>You can also drop a model folder or a .gguf file onto the window.</source>
        <translation>也可以把模型文件夹或 .gguf 文件拖到窗口上。</translation>
    </message>
</context>
<context>
    <name>ftui::format</name>
    <message>
        <source>Hugging Face (safetensors)</source>
        <translation>Hugging Face（safetensors）</translation>
    </message>
    <message>
        <source>GGUF</source>
        <translation>GGUF</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Fine-tune language models on your own workstation.</source>
        <translation>在自己的工作站上微调语言模型。</translation>
    </message>
    <message>
        <source>A model folder or .gguf file, or a project (*.ftproj), to open.</source>
        <translation>要打开的模型文件夹、.gguf 文件或项目（*.ftproj）。</translation>
    </message>
    <message>
        <source>Open the project &lt;file&gt; (*.ftproj).</source>
        <translation>打开项目 &lt;file&gt;（*.ftproj）。</translation>
    </message>
    <message>
        <source>Open the demo project (created the first time).</source>
        <translation>打开演示项目（首次使用时创建）。</translation>
    </message>
</context>
</TS>
