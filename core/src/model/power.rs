//! Powers (职权) and their flow (权力运行流程).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::Text;

/// A power as the power catalogue (职权目录) lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Power {
    /// Name of the power (权力名称), e.g. 最低生活保障审批.
    pub name: String,
    /// Category (类别), one of [`PowerCategory`]'s ids.
    pub category: String,
    /// The power item (权力项目) within the category, if the catalogue splits it.
    pub item: String,
    /// Legal basis (行使依据).
    pub basis: String,
    /// Limits of its exercise (行使界限).
    pub limits: String,
    /// Responsible department or post (责任部门或岗位).
    pub department: String,
}

/// One step of a power's flow chart (权力运行流程图).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowStep {
    /// Step name (环节), e.g. 受理 or 审核; empty when the risk concerns the power as a whole.
    pub name: String,
    /// Handling subject (办理主体).
    pub subject: String,
    /// Conditions (条件).
    pub conditions: String,
    /// Procedure (程序).
    pub procedure: String,
    /// Time limit (期限).
    pub time_limit: String,
    /// Means of supervision (监督方式).
    pub supervision: String,
}

/// The category of a power (权力类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PowerCategory {
    /// 行政许可.
    Licensing,
    /// 行政处罚.
    Penalty,
    /// 行政审批 (including 非行政许可审批).
    Approval,
    /// 行政强制.
    Enforcement,
    /// 行政征收.
    Levy,
    /// 行政监督 / 检查 (seed 001).
    Supervision,
    /// 内部管理.
    InternalManagement,
    /// 其他.
    Other,
}

impl PowerCategory {
    /// Every category.
    pub const ALL: [PowerCategory; 8] = [
        PowerCategory::Licensing,
        PowerCategory::Penalty,
        PowerCategory::Approval,
        PowerCategory::Enforcement,
        PowerCategory::Levy,
        PowerCategory::Supervision,
        PowerCategory::InternalManagement,
        PowerCategory::Other,
    ];

    /// The id used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            PowerCategory::Licensing => "licensing",
            PowerCategory::Penalty => "penalty",
            PowerCategory::Approval => "approval",
            PowerCategory::Enforcement => "enforcement",
            PowerCategory::Levy => "levy",
            PowerCategory::Supervision => "supervision",
            PowerCategory::InternalManagement => "internal-management",
            PowerCategory::Other => "other",
        }
    }

    /// The category's name.
    pub fn name(self) -> Text {
        match self {
            PowerCategory::Licensing => Text::new("行政许可", "administrative licensing"),
            PowerCategory::Penalty => Text::new("行政处罚", "administrative penalty"),
            PowerCategory::Approval => Text::new("行政审批", "administrative approval"),
            PowerCategory::Enforcement => Text::new("行政强制", "administrative enforcement"),
            PowerCategory::Levy => Text::new("行政征收", "administrative levy"),
            PowerCategory::Supervision => Text::new("行政监督", "administrative supervision"),
            PowerCategory::InternalManagement => Text::new("内部管理", "internal management"),
            PowerCategory::Other => Text::new("其他", "other"),
        }
    }
}

impl FromStr for PowerCategory {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        PowerCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or(())
    }
}

impl fmt::Display for PowerCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
