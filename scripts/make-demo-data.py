#!/usr/bin/env python3
"""Writes the demo dataset (resources/demo/veltra_support.jsonl): the support desk of the
Veltra H2, an air purifier invented for the demo, in English and Chinese. Every fact here is
made up, so a pretrained model cannot know the answers: exact match of the base model is near
zero, and a short LoRA run on the training split teaches them. Each fact is asked in several
phrasings, so the validation and test splits hold phrasings the run never saw of facts it did.

    python3 scripts/make-demo-data.py [OUT.jsonl]

Deterministic: the same file every time (no randomness, sorted output)."""
import json
import sys
from pathlib import Path

# (question phrasings EN, answer EN, question phrasings ZH, answer ZH)
FACTS = [
    (["What does error E1 mean on the Veltra H2?", "My Veltra H2 shows E1. What is wrong?",
      "The H2 display says E1, what does that mean?", "Veltra H2 error code E1?"],
     "E1: the filter is missing. Insert the filter with the arrow facing up.",
     ["Veltra H2 显示 E1 是什么意思？", "我的 H2 空气净化器报 E1 错误怎么办？", "H2 出现 E1 代码说明什么？"],
     "E1：未安装滤网。请将滤网箭头朝上装入。"),
    (["What does error E2 mean on the Veltra H2?", "My Veltra H2 shows E2. What is wrong?",
      "The H2 display says E2, what does that mean?", "Veltra H2 error code E2?"],
     "E2: the fan is blocked. Unplug the unit and clear the air outlet.",
     ["Veltra H2 显示 E2 是什么意思？", "我的 H2 空气净化器报 E2 错误怎么办？", "H2 出现 E2 代码说明什么？"],
     "E2：风扇被卡住。请拔下电源并清理出风口。"),
    (["What does error E3 mean on the Veltra H2?", "My Veltra H2 shows E3. What is wrong?",
      "The H2 display says E3, what does that mean?", "Veltra H2 error code E3?"],
     "E3: the filter door is open. Close it until it clicks.",
     ["Veltra H2 显示 E3 是什么意思？", "我的 H2 空气净化器报 E3 错误怎么办？", "H2 出现 E3 代码说明什么？"],
     "E3：滤网门未关好。请关紧直到听到咔哒声。"),
    (["What does error E4 mean on the Veltra H2?", "My Veltra H2 shows E4. What is wrong?",
      "The H2 display says E4, what does that mean?", "Veltra H2 error code E4?"],
     "E4: the air quality sensor is dirty. Wipe the sensor window with a dry cloth.",
     ["Veltra H2 显示 E4 是什么意思？", "我的 H2 空气净化器报 E4 错误怎么办？", "H2 出现 E4 代码说明什么？"],
     "E4：空气质量传感器脏污。请用干布擦拭传感器窗口。"),
    (["What does error E5 mean on the Veltra H2?", "My Veltra H2 shows E5. What is wrong?",
      "The H2 display says E5, what does that mean?", "Veltra H2 error code E5?"],
     "E5: the unit overheated. Let it cool for 30 minutes.",
     ["Veltra H2 显示 E5 是什么意思？", "我的 H2 空气净化器报 E5 错误怎么办？", "H2 出现 E5 代码说明什么？"],
     "E5：机器过热。请让它冷却 30 分钟。"),
    (["How often should I replace the Veltra H2 filter?", "When does the H2 filter need changing?",
      "What is the filter replacement interval for the Veltra H2?", "How long does a Veltra H2 filter last?"],
     "Replace the H2 filter every 7 months.",
     ["Veltra H2 的滤网多久换一次？", "H2 滤网的更换周期是多久？", "H2 净化器滤网能用多长时间？"],
     "H2 滤网每 7 个月更换一次。"),
    (["Which filter fits the Veltra H2?", "What is the part number of the H2 filter?",
      "Which replacement filter do I buy for my Veltra H2?", "Veltra H2 filter model?"],
     "The H2 uses the VF-27 filter.",
     ["Veltra H2 用哪种滤网？", "H2 的滤网型号是什么？", "给 H2 买替换滤网要选哪个型号？"],
     "H2 使用 VF-27 型滤网。"),
    (["How long is the Veltra H2 warranty?", "What warranty comes with the Veltra H2?",
      "For how many months is the H2 covered by warranty?", "Veltra H2 warranty period?"],
     "The H2 warranty lasts 27 months.",
     ["Veltra H2 保修多久？", "H2 的保修期是多长？", "H2 净化器保修几个月？"],
     "H2 保修期为 27 个月。"),
    (["How do I reset the Veltra H2?", "What is the reset procedure for the H2?",
      "How can I factory reset my Veltra H2?", "Veltra H2 reset steps?"],
     "Hold the Mode and Timer buttons together for 9 seconds.",
     ["Veltra H2 怎么重置？", "H2 如何恢复出厂设置？", "H2 的重置步骤是什么？"],
     "同时按住模式键和定时键 9 秒。"),
    (["How do I reset the filter reminder on the Veltra H2?", "How do I clear the filter light on the H2?",
      "The H2 filter light stays on after a new filter, what do I do?", "Veltra H2 filter reminder reset?"],
     "Hold the Filter button for 5 seconds until the light blinks twice.",
     ["Veltra H2 滤网提醒灯怎么复位？", "换了新滤网后 H2 滤网灯还亮怎么办？", "H2 如何清除滤网提醒？"],
     "按住滤网键 5 秒，直到指示灯闪烁两次。"),
    (["What room size is the Veltra H2 rated for?", "How large a room can the H2 clean?",
      "What is the coverage area of the Veltra H2?", "Veltra H2 room size?"],
     "The H2 is rated for rooms up to 38 square metres.",
     ["Veltra H2 适用多大的房间？", "H2 能净化多大面积？", "H2 的适用面积是多少？"],
     "H2 适用于 38 平方米以内的房间。"),
    (["What does the purple light on the Veltra H2 mean?", "Why is my H2 glowing purple?",
      "The H2 ring light is purple, what does it say?", "Veltra H2 purple light?"],
     "Purple means the air quality is poor and the H2 runs at high speed.",
     ["Veltra H2 亮紫灯是什么意思？", "我的 H2 为什么发紫光？", "H2 的光圈变成紫色说明什么？"],
     "紫色表示空气质量差，H2 正在高速运行。"),
    (["What does the green light on the Veltra H2 mean?", "Why is my H2 glowing green?",
      "The H2 ring light is green, what does it say?", "Veltra H2 green light?"],
     "Green means the air quality is good.",
     ["Veltra H2 亮绿灯是什么意思？", "我的 H2 为什么发绿光？", "H2 的光圈变成绿色说明什么？"],
     "绿色表示空气质量良好。"),
    (["How loud is the Veltra H2 in sleep mode?", "What is the noise level of the H2 on sleep?",
      "How many decibels does the Veltra H2 make in sleep mode?", "Veltra H2 sleep mode noise?"],
     "In sleep mode the H2 runs at 19 decibels.",
     ["Veltra H2 睡眠模式有多吵？", "H2 睡眠模式的噪音是多少分贝？", "H2 在睡眠模式下声音多大？"],
     "睡眠模式下 H2 的噪音为 19 分贝。"),
    (["How do I connect the Veltra H2 to Wi-Fi?", "How do I pair the H2 with the app?",
      "What app does the Veltra H2 use?", "Veltra H2 Wi-Fi setup?"],
     "Open the Veltra Home app and hold the Wi-Fi button for 3 seconds.",
     ["Veltra H2 怎么连接 Wi-Fi？", "H2 如何与手机应用配对？", "H2 用哪个手机应用？"],
     "打开 Veltra Home 应用，并按住 Wi-Fi 键 3 秒。"),
    (["What are the Veltra support desk hours?", "When can I call Veltra support?",
      "When is the Veltra helpline open?", "Veltra customer service hours?"],
     "Veltra support is open Monday to Saturday, 8:00 to 20:00.",
     ["Veltra 客服的工作时间是什么？", "什么时候可以打 Veltra 客服电话？", "Veltra 热线几点开放？"],
     "Veltra 客服周一至周六 8:00 至 20:00 在线。"),
    (["How much power does the Veltra H2 use?", "What is the power consumption of the H2?",
      "How many watts does the Veltra H2 draw?", "Veltra H2 wattage?"],
     "The H2 draws 42 watts at full speed.",
     ["Veltra H2 功率是多少？", "H2 耗电量多大？", "H2 满速运行时功率多少瓦？"],
     "H2 满速运行时功率为 42 瓦。"),
    (["Can I wash the Veltra H2 filter?", "Is the H2 filter washable?",
      "Should I rinse the Veltra H2 filter with water?", "Veltra H2 washing the filter?"],
     "No. The VF-27 filter must not get wet; vacuum the pre-filter instead.",
     ["Veltra H2 的滤网可以水洗吗？", "H2 滤网能用水冲洗吗？", "H2 的滤网可以清洗吗？"],
     "不可以。VF-27 滤网不能沾水，请用吸尘器清理预过滤网。"),
]

SYSTEM = None  # the rows are plain instruction/output pairs (alpaca), as users' support logs are


def rows():
    out = []
    for fact_id, (questions_en, answer_en, questions_zh, answer_zh) in enumerate(FACTS, start=1):
        for question in questions_en:
            out.append({"instruction": question, "output": answer_en, "fact": fact_id, "lang": "en"})
        for question in questions_zh:
            out.append({"instruction": question, "output": answer_zh, "fact": fact_id, "lang": "zh"})
    return out


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().parents[1] / "resources" / "demo" / "veltra_support.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = rows()
    with open(path, "w", encoding="utf-8") as f:
        for row in data:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{path}: {len(data)} rows, {len(FACTS)} facts")


if __name__ == "__main__":
    main()
